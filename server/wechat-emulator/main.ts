import { loadConfig } from '../src/lib/config';
import { startEmulator } from './server';
import { payKeysFromEnv } from './pay-keys';

/** Runs the WeChat emulator on its configured port (npm start runs it beside the BFF). */
async function main() {
  const config = loadConfig();
  // npm start hands the emulator and the BFF the same development keys; alone, it makes its own.
  const em = await startEmulator({ port: config.wechat.emulatorPort, appId: config.wechat.appId, appSecret: config.wechat.appSecret, payKeys: payKeysFromEnv(process.env) ?? undefined });
  console.log(`WeChat emulator listening on ${em.url}`);
  const stop = () => void em.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
