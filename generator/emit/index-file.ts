/**
 * The generated entry file, `<out>/index.ts`, in the agreed order: header, imports (the runtime's core, the
 * optional layers the spec uses, the app's codecs), payload types, SessionMap, provider classes, the spec
 * constant, installSessions, the Koa augmentation (unless the spec turns it off). Unformatted; `generate`
 * runs prettier over it.
 */
import type { SpecModel } from '../model.js';
import { generatedHeader } from '../generated-header.js';
import { emitImports, planSerializerImports } from './imports.js';
import { emitInstallSessions } from './install-sessions.js';
import { emitKoaAugmentation } from './koa-augmentation.js';
import { usedLayers } from './layers.js';
import { literal } from './literal.js';
import { emitPayloadTypes } from './payload-types.js';
import { printSourceFile } from './print.js';
import { emitProviderClass } from './provider-class.js';
import { definitionLiteral } from './session-definition.js';
import { emitSessionMap } from './session-map.js';
import { adminSessions, emitSessionsAdmin } from './sessions-admin.js';
import { emitSpecDefinition } from './spec-definition.js';

/**
 * @example
 * emitIndexFile(model, (module) => serializerSpecifier(module, '.', 'generated'));
 */
export function emitIndexFile(model: SpecModel, serializerSpecifierFor: (module: string) => string): string {
  const serializers = planSerializerImports(model, serializerSpecifierFor);
  const layers = usedLayers(model);
  return printSourceFile([
    generatedHeader(model.specFileName),
    ...emitImports(serializers.values(), layers, adminSessions(model).length > 0),
    ...emitPayloadTypes(model),
    ...emitSessionMap(model),
    ...emitSessionsAdmin(model),
    ...model.sessions.map((session) =>
      emitProviderClass(
        session,
        literal(definitionLiteral(session, model.types, serializers)),
      ),
    ),
    emitSpecDefinition(model, layers),
    emitInstallSessions(model),
    ...(model.augmentKoaContext === false ? [] : [emitKoaAugmentation(model)]),
  ]);
}
