/** The provisioning chain: device credentials, tokens, messages to devices, waiting for a device to connect. */
export * from './device-credential';
export * from './tokens';
export * from './wait-online';
export * from './connect-options';
