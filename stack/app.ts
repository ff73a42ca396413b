import { buildApp } from './build-app';

// cdk.json → `npx tsx stack/app.ts`. Everything is in build-app.ts, so tests build the same app.
buildApp();
