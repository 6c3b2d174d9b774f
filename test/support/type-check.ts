/**
 * Test-only: TypeScript's diagnostics for generated code and the app files beside it, compiled as one program
 * with the repo's settings, so a type test sees what an app's build would.
 */
import { join, resolve } from 'node:path';
import ts from 'typescript';

const repo = resolve(import.meta.dirname, '../..');

/** TypeScript's diagnostics for each of `files` in one program, compiled with the repo's settings, as `TS1234: message`. */
export function typeCheck(files: readonly string[]): string[][] {
  const config = ts.getParsedCommandLineOfConfigFile(join(repo, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  if (config === undefined) throw new Error('cannot read tsconfig.json');
  const program = ts.createProgram({ rootNames: files, options: { ...config.options, noEmit: true } });
  return files.map((file) => {
    const source = program.getSourceFile(file)!;
    return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)].map(
      (diagnostic) => `TS${diagnostic.code}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`,
    );
  });
}

