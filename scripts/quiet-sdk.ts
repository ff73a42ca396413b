/*
 * Imported first by every benchmark and script that builds AWS SDK clients:
 * the SDK prints a NodeVersionSupportWarning when a client is built under
 * Node.js 20, which the project supports (package.json engines). Set before
 * any client exists; an explicit setting in the environment is kept.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
