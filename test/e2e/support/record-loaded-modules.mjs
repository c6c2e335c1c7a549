// Loaded with `node --import` by idle-footprint.test.ts: records every module the process loads (ES modules
// and require() alike) and Node's own built-in modules, and writes them as JSON to $LOADED_MODULES_FILE at exit.
// node:fs comes through process.getBuiltinModule: an ES import of it would load node:fs/promises, which the
// test checks the node itself never does.
import { registerHooks } from 'node:module';

const urls = [];
registerHooks({
  load(url, context, nextLoad) {
    urls.push(url);
    return nextLoad(url, context);
  },
});
process.on('exit', () => {
  process.getBuiltinModule('node:fs').writeFileSync(process.env.LOADED_MODULES_FILE, JSON.stringify({ modules: urls, builtins: process.moduleLoadList }));
});
