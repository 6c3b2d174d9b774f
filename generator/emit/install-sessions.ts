/** `installSessions(options?)`, the one function an app calls. */
import type { SpecModel } from '../model.js';
import { adminSessions } from './sessions-admin.js';
import { docText, StructureKind, type FunctionDeclarationStructure } from './print.js';
import { stringLiteral } from './tokens.js';

/**
 * @example
 * emitInstallSessions(model); // export function installSessions(options?: InstallOptions): Middleware { ... }
 */
export function emitInstallSessions(model: SpecModel): FunctionDeclarationStructure {
  const first = model.sessions[0];
  const handler =
    first === undefined
      ? []
      : [`app.use((ctx) => { ctx.body = ctx.sessions.get(${stringLiteral(first.name)}) ?? 'no session'; });`];
  return {
    kind: StructureKind.Function,
    name: 'installSessions',
    isExported: true,
    docs: [
      docText(
        [
          'Koa middleware that loads every session before the handler and writes changes after it.',
          '',
          '@example',
          'const app = new Koa();',
          'app.use(installSessions());',
          ...handler,
        ].join('\n'),
      ),
    ],
    parameters: [{ name: 'options', hasQuestionToken: true, type: 'InstallOptions' }],
    // With an admin side, the middleware comes with it, typed: `installSessions().admin`.
    ...(adminSessions(model).length === 0
      ? { returnType: 'Middleware', statements: ['return createSessionsMiddleware(spec, options);'] }
      : { returnType: 'SessionsMiddleware<SessionsAdmin>', statements: ['return createSessionsMiddleware<SessionsAdmin>(spec, options);'] }),
  };
}
