// Loaded with `node --import` by idle-footprint.test.ts: records every module the process loads (ES modules
// and require() alike) and Node's own built-in modules, and writes them as JSON to $LOADED_MODULES_FILE at exit.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const urls = [];
registerHooks({
  load(url, context, nextLoad) {
    urls.push(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => {
  writeFileSync(process.env.LOADED_MODULES_FILE, JSON.stringify({ modules: urls, builtins: process.moduleLoadList }));
});
