import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { EOL, tmpdir } from 'node:os'
import { join } from 'node:path'
import { ActionError } from '../../src/errors.js'
import {
  fileCommands,
  nodeFileOps,
  writeRunnerFiles,
  type FileOps,
  type FileWrite
} from '../../src/runner-files.js'
import { readFileCommands } from '../../test/support/runner.js'

// /proc/self/fd is Linux's; mounting a tmpfs needs root there too.
const onLinux = process.platform === 'linux' ? describe : describe.skip
const asRoot = process.getuid?.() === 0 ? describe : describe.skip

const TAIL =
  ' The runner makes this file for each step; check its disk, and that no earlier step changed or removed the file.'

/** An fs error as Node makes them: a message and a code. */
const fsError = (code: unknown) =>
  Object.assign(new Error(`${String(code)}: /secret/path`), { code })

describe('fileCommands', () => {
  it('writes name<<delimiter blocks as @actions/core does, one delimiter for all', () => {
    const uuids = ['1111', '2222']
    const text = fileCommands(
      { token: 'tok', 'expires-in': '' },
      () => uuids.shift() ?? ''
    )
    expect(text).toBe(
      [
        'token<<ghadelimiter_1111',
        'tok',
        'ghadelimiter_1111',
        'expires-in<<ghadelimiter_1111',
        '',
        'ghadelimiter_1111',
        ''
      ].join(EOL)
    )
    expect(readFileCommands(text)).toEqual({ token: 'tok', 'expires-in': '' })
  })

  it.each([
    ['a value', { x: 'aghadelimiter_1111b' }],
    ['a name', { ghadelimiter_1111: 'v' }]
  ])('draws another delimiter while %s holds it', (_what, values) => {
    const uuids = ['1111', '1111', '2222']
    const text = fileCommands(values, () => uuids.shift() ?? '')
    expect(uuids).toEqual([])
    expect(text).toContain(`<<ghadelimiter_2222${EOL}`)
    expect(readFileCommands(text)).toEqual(values)
  })

  it('uses a random UUID by default', () => {
    expect(fileCommands({ a: 'b' })).toMatch(
      /^a<<ghadelimiter_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\r?\n/
    )
  })
})

describe('writeRunnerFiles', () => {
  let dir: string
  let output: FileWrite
  let env: FileWrite
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'torq-files-'))
    output = {
      variable: 'GITHUB_OUTPUT',
      path: join(dir, 'output'),
      text: 'token<<D\ntok\nD\n'
    }
    env = {
      variable: 'GITHUB_ENV',
      path: join(dir, 'env'),
      text: 'TORQ_ACCESS_TOKEN<<D\ntok\nD\n'
    }
    writeFileSync(output.path, 'EARLIER=1\n')
    writeFileSync(env.path, 'EARLIER=2\n')
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const contents = () => [
    readFileSync(output.path, 'utf8'),
    readFileSync(env.path, 'utf8')
  ]

  /** Real file operations, but the n-th append writes half, then fails. */
  function failingAppend(n: number, code: unknown = 'ENOSPC') {
    const calls: string[] = []
    let appends = 0
    const ops: FileOps = {
      size: nodeFileOps.size,
      append(path, text) {
        calls.push(`append ${path}`)
        if (++appends < n) return nodeFileOps.append(path, text)
        nodeFileOps.append(path, text.slice(0, text.length / 2))
        throw fsError(code)
      },
      truncate(path, length) {
        calls.push(`truncate ${path} ${length}`)
        nodeFileOps.truncate(path, length)
      }
    }
    return { ops, calls }
  }

  function failure(run: () => void): string {
    try {
      run()
    } catch (error) {
      expect(error).toBeInstanceOf(ActionError)
      return (error as Error).message
    }
    throw new Error('expected a failure')
  }

  it('appends to each file after what it held', () => {
    writeRunnerFiles([output, env])
    expect(contents()).toEqual([
      `EARLIER=1\n${output.text}`,
      `EARLIER=2\n${env.text}`
    ])
  })

  it('puts GITHUB_OUTPUT back when its write fails, leaving GITHUB_ENV alone', () => {
    const { ops, calls } = failingAppend(1)
    const message = failure(() => writeRunnerFiles([output, env], ops))
    expect(contents()).toEqual(['EARLIER=1\n', 'EARLIER=2\n'])
    expect(calls).toEqual([
      `append ${output.path}`,
      `truncate ${output.path} 10`
    ])
    expect(message).toBe(
      `Could not write the runner's GITHUB_OUTPUT file: no space left on the runner's disk (ENOSPC). GITHUB_OUTPUT was put back as before this step. No output and no variable was written.${TAIL}`
    )
  })

  it('puts both files back when GITHUB_ENV fails after GITHUB_OUTPUT was written', () => {
    const { ops, calls } = failingAppend(2)
    const message = failure(() => writeRunnerFiles([output, env], ops))
    expect(contents()).toEqual(['EARLIER=1\n', 'EARLIER=2\n'])
    expect(calls).toEqual([
      `append ${output.path}`,
      `append ${env.path}`,
      `truncate ${output.path} 10`,
      `truncate ${env.path} 10`
    ])
    expect(message).toBe(
      `Could not write the runner's GITHUB_ENV file: no space left on the runner's disk (ENOSPC). GITHUB_OUTPUT and GITHUB_ENV were put back as before this step. No output and no variable was written.${TAIL}`
    )
  })

  it('says that a file may hold a partial write when putting it back fails', () => {
    const { ops } = failingAppend(2)
    const message = failure(() =>
      writeRunnerFiles([output, env], {
        ...ops,
        truncate(path, length) {
          if (path === env.path) throw fsError('EIO')
          ops.truncate(path, length)
        }
      })
    )
    expect(contents()[0]).toBe('EARLIER=1\n')
    expect(message).toBe(
      `Could not write the runner's GITHUB_ENV file: no space left on the runner's disk (ENOSPC). GITHUB_OUTPUT was put back as before this step. Putting back GITHUB_ENV (an input/output error of the runner's disk (EIO)) failed too, so that file may hold a partial write; do not rely on the outputs or variables of this step.${TAIL}`
    )
  })

  it('names both files when neither can be put back', () => {
    const { ops } = failingAppend(2)
    const message = failure(() =>
      writeRunnerFiles([output, env], {
        ...ops,
        truncate() {
          throw fsError('EROFS')
        }
      })
    )
    expect(message).toContain(
      '(ENOSPC). Putting back GITHUB_OUTPUT (the file system is read-only (EROFS)) and GITHUB_ENV (the file system is read-only (EROFS)) failed too, so those files may hold a partial write; do not rely on the outputs or variables of this step. The runner makes'
    )
  })

  it.each([
    ['ENOSPC', "no space left on the runner's disk (ENOSPC)"],
    ['EDQUOT', "the disk quota of the runner's user is used up (EDQUOT)"],
    ['EROFS', 'the file system is read-only (EROFS)'],
    ['EACCES', 'permission denied (EACCES)'],
    ['EPERM', 'operation not permitted (EPERM)'],
    ['EISDIR', 'it is a directory, not a file (EISDIR)'],
    ['EIO', "an input/output error of the runner's disk (EIO)"],
    ['ENOENT', 'the file does not exist (ENOENT)'],
    ['EBADF', 'an unexpected error (EBADF)'],
    ['E2BIG', 'an unexpected error (E2BIG)'],
    ['not a code', 'an unexpected error'],
    ['xENOSPC', 'an unexpected error'],
    ['ENOSPC x', 'an unexpected error'],
    [28, 'an unexpected error'],
    [{ toString: () => 'ENOSPC' }, 'an unexpected error'],
    [null, 'an unexpected error']
  ])('words the error code %j as "%s", without the path', (code, words) => {
    const { ops } = failingAppend(1, code)
    const message = failure(() => writeRunnerFiles([output], ops))
    expect(message).toMatch(
      new RegExp(
        `^Could not write the runner's GITHUB_OUTPUT file: ${words.replace(/[()]/g, '\\$&')}\\. GITHUB_OUTPUT was put back`
      )
    )
    expect(message).not.toContain('/secret/path')
  })

  it('words a thrown value that is no object', () => {
    const message = failure(() =>
      writeRunnerFiles([output], {
        ...nodeFileOps,
        append() {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- a non-Error on purpose
          throw null
        }
      })
    )
    expect(message).toMatch(/GITHUB_OUTPUT file: an unexpected error\. /)
  })

  it.each([
    ['is missing', 'the file does not exist (ENOENT)', () => rmSync(env.path)],
    [
      'is a directory',
      'it is a directory, not a file (EISDIR)',
      () => {
        rmSync(env.path)
        mkdirSync(env.path)
      }
    ],
    [
      'is not a regular file',
      'it is not a regular file (ENOTFILE)',
      () => {
        env.path = '/dev/null'
      }
    ]
  ])('writes nothing at all when GITHUB_ENV %s', (_what, words, breakIt) => {
    breakIt()
    const message = failure(() => writeRunnerFiles([output, env]))
    expect(readFileSync(output.path, 'utf8')).toBe('EARLIER=1\n')
    expect(message).toBe(
      `Could not write the runner's GITHUB_ENV file: ${words}. Nothing was written to the runner files.${TAIL}`
    )
  })

  it('never creates a file the runner did not make', () => {
    const path = join(dir, 'none')
    expect(() => nodeFileOps.append(path, 'x')).toThrow(
      expect.objectContaining({ code: 'ENOENT' })
    )
    expect(() => nodeFileOps.size(path)).toThrow(
      expect.objectContaining({ code: 'ENOENT' })
    )
  })

  it('says what a path that is no regular file is', () => {
    expect(() => nodeFileOps.size('/dev/null')).toThrow(
      expect.objectContaining({
        code: 'ENOTFILE',
        message: 'not a regular file'
      })
    )
  })

  onLinux('on Linux (skipped elsewhere)', () => {
    it('closes each file it appends to', () => {
      const open = () => readdirSync('/proc/self/fd').length
      const before = open()
      for (let i = 0; i < 5; i++) nodeFileOps.append(output.path, 'x')
      expect(open()).toBe(before)
    })

    asRoot('as root, who may mount a tmpfs (skipped otherwise)', () => {
      it('refuses a file on a read-only file system before writing anything', () => {
        const ro = mkdtempSync(join(tmpdir(), 'torq-ro-'))
        const mount = (...args: string[]) =>
          spawnSync('mount', args, { encoding: 'utf8' }).status === 0
        try {
          if (!mount('-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', ro)) {
            throw new Error('mount -t tmpfs failed')
          }
          env.path = join(ro, 'env')
          writeFileSync(env.path, 'EARLIER=2\n')
          expect(mount('-o', 'remount,ro', ro)).toBe(true)
          const message = failure(() => writeRunnerFiles([output, env]))
          expect(readFileSync(output.path, 'utf8')).toBe('EARLIER=1\n')
          expect(message).toMatch(
            /^Could not write the runner's GITHUB_ENV file: the file system is read-only \(EROFS\)\. Nothing was written/
          )
        } finally {
          spawnSync('umount', [ro])
          rmSync(ro, { recursive: true, force: true })
        }
      })
    })
  })

  it('measures a file and cuts it back', () => {
    expect(nodeFileOps.size(output.path)).toBe(10)
    nodeFileOps.truncate(output.path, 4)
    expect(readFileSync(output.path, 'utf8')).toBe('EARL')
  })
})
