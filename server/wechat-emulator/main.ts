import { appEnv, loadConfig } from '../src/lib/config';
import { startEmulator } from './server';
import { payKeysFromEnv } from './pay-keys';

/**
 * Runs the WeChat emulator on its configured port (npm start runs it beside the BFF), in
 * development and tests only: any code `test_<openid>.…` signs in as anyone there. The control
 * endpoints' secret comes from WECHAT_EMULATOR_SECRET (npm start makes one per start).
 */
async function main() {
  const env = appEnv();
  if (env !== 'development' && env !== 'test') throw new Error(`the WeChat emulator runs in development and test only, not in ${env}`);
  const config = loadConfig();
  // npm start hands the emulator and the BFF the same development keys; alone, it makes its own.
  const em = await startEmulator({ port: config.wechat.emulatorPort, appId: config.wechat.appId, appSecret: config.wechat.appSecret, payKeys: payKeysFromEnv(process.env) ?? undefined, controlSecret: process.env.WECHAT_EMULATOR_SECRET });
  console.log(`WeChat emulator listening on ${em.url}`);
  const stop = () => void em.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
