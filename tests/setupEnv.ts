// The SDK warns on every client creation under Node 20; the warning is noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// Importing the handler module builds its default runtime from the environment; point it at a
// closed local port so its key prefetch fails fast and never leaves this machine.
process.env.SIGNING_SECRET_ID ??= 'test/jwt-mint/signing-secret';
process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ??= 'http://127.0.0.1:9';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
process.env.LOG_LEVEL ??= 'SILENT';
