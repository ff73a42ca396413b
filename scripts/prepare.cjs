// npm's `prepare`: runs after `npm ci` or `npm install` in the repository,
// and before `npm pack`. It builds the command line and the library
// (`npm run build`) when the development dependencies that build them are
// installed. Without them (`npm ci --omit=dev`) there is nothing to build
// with, so it says so and succeeds; packing without them would make a
// package without its code, so that fails instead.
const { execSync } = require('node:child_process');

const missing = ['esbuild', 'tsx', 'typescript'].filter((name) => {
  try {
    require.resolve(`${name}/package.json`, { paths: [process.cwd()] });
    return false;
  } catch {
    return true;
  }
});

if (missing.length === 0) {
  execSync('npm run build', { stdio: 'inherit' });
} else if (['pack', 'publish'].includes(process.env.npm_command ?? '')) {
  process.stderr.write(
    `prepare: cannot build the package without its development dependencies (${missing.join(', ')} missing): run "npm ci" first.\n`,
  );
  process.exitCode = 1;
} else {
  process.stderr.write(
    `prepare: development dependencies not installed (${missing.join(', ')}), so the command line and the library are not built; "npm ci" then "npm run build" builds them.\n`,
  );
}
