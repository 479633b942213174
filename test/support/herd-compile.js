// src/ compiled to JavaScript in a temporary directory, each file as the
// bundler's TypeScript compiles it, so that `npm run herd` runs the action's
// own code. The directory links the project's node_modules, where the
// sources' packages (@actions/core) are found.
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ts from 'typescript'
import { ROOT } from './runner.js'

/** @returns {string} the directory; the caller removes it */
export function compileSources() {
  const dir = mkdtempSync(join(tmpdir(), 'torq-herd-'))
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n')
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  const src = join(ROOT, 'src')
  for (const file of readdirSync(src).filter((f) => f.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(
      readFileSync(join(src, file), 'utf8'),
      {
        compilerOptions: {
          module: ts.ModuleKind.ES2022,
          target: ts.ScriptTarget.ES2023
        },
        fileName: file
      }
    )
    writeFileSync(join(dir, file.replace(/\.ts$/, '.js')), outputText)
  }
  return dir
}
