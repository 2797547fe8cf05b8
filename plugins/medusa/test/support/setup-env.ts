// What Medusa's test runners read from the environment: PostgreSQL on localhost (with 127.0.0.1 the runner asks
// for SSL and hangs), user postgres, no telemetry.
process.env['DB_HOST'] ??= 'localhost';
process.env['DB_PORT'] ??= '5432';
process.env['DB_USERNAME'] ??= 'postgres';
process.env['DB_PASSWORD'] ??= '';
process.env['MEDUSA_DISABLE_TELEMETRY'] = 'true';
