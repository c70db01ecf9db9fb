/**
 * Recursive-descent parser with panic-mode recovery: a syntax error is reported once, then the parser skips to a
 * synchronisation point (`;`, `}`, the start of a statement or of the next item) and carries on, so one run reports
 * several independent errors without a cascade of follow-ups.
 */
import type { DiagnosticCode, DiagnosticSink, Span } from './diagnostics'
import type {
  AssignOp,
  BinaryOp,
  Block,
  ConstDecl,
  Expr,
  FnDecl,
  Item,
  Program,
  Stmt,
  StructDecl,
  TypeNode,
} from './ast'
import { tokenize, type Keyword, type Punct, type Token } from './lexer'

/** Blocks and expressions nest at most this deep, which also bounds recursion in every later pass. */
export const MAX_NESTING = 200

const I64_MAX = (1n << 63n) - 1n

/** Thrown after reporting, to unwind to the nearest recovery point. */
class Bail extends Error {}

const ITEM_KEYWORDS: ReadonlySet<string> = new Set(['fn', 'const', 'struct'])
const STATEMENT_KEYWORDS: ReadonlySet<string> = new Set([
  'let',
  'if',
  'while',
  'for',
  'return',
  'break',
  'continue',
])
const ASSIGN_OPS: ReadonlySet<string> = new Set(['=', '+=', '-=', '*=', '/=', '%='])

export function parse(source: string, sink: DiagnosticSink): Program {
  return new Parser(tokenize(source, sink), sink).program()
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of file'
    case 'ident':
      return `identifier \`${token.text}\``
    case 'int':
      return `number \`${token.text}\``
    case 'string':
      return 'string literal'
    default:
      return `\`${token.text}\``
  }
}

class Parser {
  private pos = 0
  private depth = 0
  /** Set when a block ended at the next item without its `}`: enclosing blocks then close silently. */
  private abandonedItem = false
  private readonly exprDepth = new WeakMap<Expr, number>()

  constructor(
    private readonly tokens: Token[],
    private readonly sink: DiagnosticSink,
  ) {}

  // ---- token helpers --------------------------------------------------------------------------------------

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as Token
  }

  private advance(): Token {
    const token = this.peek()
    if (token.kind !== 'eof') this.pos++
    return token
  }

  private isPunct(text: Punct, offset = 0): boolean {
    const token = this.peek(offset)
    return token.kind === 'punct' && token.text === text
  }

  private isKeyword(text: Keyword, offset = 0): boolean {
    const token = this.peek(offset)
    return token.kind === 'keyword' && token.text === text
  }

  private atItemKeyword(): boolean {
    const token = this.peek()
    return token.kind === 'keyword' && ITEM_KEYWORDS.has(token.text)
  }

  private fail(code: DiagnosticCode, message: string, span: Span): never {
    this.sink.report(code, message, span)
    throw new Bail()
  }

  private expectPunct(text: Punct, context = ''): Token {
    if (this.isPunct(text)) return this.advance()
    const found = this.peek()
    const suffix = context === '' ? '' : ` ${context}`
    if (text === ';' || text === ')' || text === ']') {
      // A missing terminator is best shown right after what it should follow.
      const previous = this.tokens[this.pos - 1]
      const at = previous === undefined ? found.start : previous.end
      const message = `expected \`${text}\`${suffix}, found ${describe(found)}`
      if (text === ';' && previous !== undefined && this.lineOf(found.start) > this.lineOf(previous.end)) {
        // The statement ended at a line break: assume the `;` and carry on with the next line.
        const unterminated = previous.kind === 'string' && !previous.closed
        if (!unterminated) this.sink.report('CCL0101', message, { start: at, end: at })
        return { kind: 'punct', text: ';', start: at, end: at }
      }
      this.fail('CCL0101', message, { start: at, end: at })
    }
    this.fail('CCL0101', `expected \`${text}\`${suffix}, found ${describe(found)}`, found)
  }

  private lineOf(offset: number): number {
    return this.sink.map.position(offset).line
  }

  private expectKeyword(text: Keyword): Token {
    if (this.isKeyword(text)) return this.advance()
    const found = this.peek()
    this.fail('CCL0101', `expected \`${text}\`, found ${describe(found)}`, found)
  }

  private expectIdent(what: string): Token & { kind: 'ident' } {
    const token = this.peek()
    if (token.kind === 'ident') {
      this.advance()
      return token
    }
    const reserved = token.kind === 'keyword' ? ` (\`${token.text}\` is a keyword)` : ''
    this.fail('CCL0101', `expected ${what}, found ${describe(token)}${reserved}`, token)
  }

  /** After a list element: consumes `,` and returns true, returns false before `close`, or fails. */
  private separator(close: Punct, what: string): boolean {
    if (this.isPunct(',')) {
      this.advance()
      return true
    }
    if (this.isPunct(close)) return false
    const found = this.peek()
    this.fail('CCL0101', `expected \`,\` or \`${close}\` in ${what}, found ${describe(found)}`, found)
  }

  private enter(span: Span): void {
    this.depth++
    if (this.depth > MAX_NESTING) {
      this.fail(
        'CCL0106',
        `nesting too deep: blocks and expressions may nest at most ${MAX_NESTING} levels`,
        span,
      )
    }
  }

  private leave(): void {
    this.depth--
  }

  // ---- items ----------------------------------------------------------------------------------------------

  program(): Program {
    const items: Item[] = []
    while (this.peek().kind !== 'eof') {
      const before = this.pos
      this.abandonedItem = false
      this.depth = 0
      try {
        const token = this.peek()
        if (this.isKeyword('fn')) items.push(this.fnDecl())
        else if (this.isKeyword('const')) items.push(this.constDecl())
        else if (this.isKeyword('struct')) items.push(this.structDecl())
        else
          this.fail(
            'CCL0104',
            `expected an item (\`fn\`, \`const\` or \`struct\`), found ${describe(token)}`,
            token,
          )
      } catch (err) {
        if (!(err instanceof Bail)) throw err
        if (this.pos === before) this.advance()
        while (this.peek().kind !== 'eof' && !this.atItemKeyword()) this.advance()
      }
    }
    return { items }
  }

  private fnDecl(): FnDecl {
    const start = this.advance().start
    const name = this.expectIdent('a function name')
    this.expectPunct('(')
    const params: FnDecl['params'] = []
    while (!this.isPunct(')')) {
      const paramName = this.expectIdent('a parameter name')
      this.expectPunct(':', `after parameter \`${paramName.text}\``)
      const type = this.type()
      params.push({ name: paramName.text, span: { start: paramName.start, end: type.span.end }, type })
      if (!this.separator(')', 'the parameter list')) break
    }
    this.expectPunct(')', 'to close the parameter list')
    let result: TypeNode | undefined
    if (this.isPunct('->')) {
      this.advance()
      result = this.type()
    }
    if (!this.isPunct('{')) {
      const found = this.peek()
      this.fail(
        'CCL0101',
        `expected \`{\` to start the body of \`${name.text}\`, found ${describe(found)}`,
        found,
      )
    }
    const body = this.block()
    const decl: FnDecl = {
      kind: 'fn',
      name: name.text,
      nameSpan: name,
      span: { start, end: body.span.end },
      params,
      body,
    }
    if (result !== undefined) decl.result = result
    return decl
  }

  private constDecl(): ConstDecl {
    const start = this.advance().start
    const name = this.expectIdent('a constant name')
    this.expectPunct(
      ':',
      `after constant \`${name.text}\` (constants need a type: \`const ${name.text}: Int = …;\`)`,
    )
    const type = this.type()
    this.expectPunct('=')
    const init = this.expr(false)
    const end = this.expectPunct(';').end
    return { kind: 'const', name: name.text, nameSpan: name, span: { start, end }, type, init }
  }

  private structDecl(): StructDecl {
    const start = this.advance().start
    const name = this.expectIdent('a struct name')
    this.expectPunct('{')
    const fields: StructDecl['fields'] = []
    while (!this.isPunct('}')) {
      const field = this.expectIdent('a field name')
      this.expectPunct(':', `after field \`${field.text}\``)
      const type = this.type()
      fields.push({ name: field.text, span: { start: field.start, end: type.span.end }, type })
      if (!this.separator('}', 'the struct')) break
    }
    const end = this.expectPunct('}', 'to close the struct').end
    return { kind: 'struct', name: name.text, nameSpan: name, span: { start, end }, fields }
  }

  private type(): TypeNode {
    const token = this.peek()
    if (token.kind === 'ident') {
      this.advance()
      return { kind: 'named', name: token.text, span: token }
    }
    if (this.isPunct('[')) {
      this.advance()
      this.enter(token)
      const element = this.type()
      this.leave()
      const end = this.expectPunct(']', 'to close the array type').end
      return { kind: 'array', element, span: { start: token.start, end } }
    }
    this.fail('CCL0103', `expected a type, found ${describe(token)}`, token)
  }

  // ---- statements -----------------------------------------------------------------------------------------

  private block(): Block {
    const open = this.expectPunct('{')
    this.enter(open)
    const stmts: Stmt[] = []
    while (true) {
      if (this.isPunct('}')) {
        const close = this.advance()
        this.leave()
        return { stmts, span: { start: open.start, end: close.end } }
      }
      if (this.abandonedItem) break
      const token = this.peek()
      if (token.kind === 'eof' || this.atItemKeyword()) {
        const { line } = this.sink.map.position(open.start)
        this.sink.report(
          'CCL0101',
          `expected \`}\` to close the block opened on line ${line}, found ${describe(token)}`,
          token,
        )
        this.abandonedItem = true
        break
      }
      const before = this.pos
      const depth = this.depth
      try {
        stmts.push(this.statement())
      } catch (err) {
        if (!(err instanceof Bail)) throw err
        this.depth = depth
        this.synchronise(before)
      }
    }
    this.leave()
    const end = this.peek().start
    return { stmts, span: { start: open.start, end } }
  }

  /** Skips to the end of the broken statement: past `;`, or up to `}`, a statement keyword or the next item. */
  private synchronise(statementStart: number): void {
    let depth = 0
    let first = true
    while (true) {
      const token = this.peek()
      if (token.kind === 'eof') return
      if (token.kind === 'keyword' && ITEM_KEYWORDS.has(token.text)) {
        // The body is being abandoned: enclosing blocks close without further complaint.
        this.abandonedItem = true
        return
      }
      const progressed = this.pos > statementStart || !first
      if (depth === 0 && progressed) {
        if (token.kind === 'punct' && token.text === '}') return
        if (token.kind === 'keyword' && STATEMENT_KEYWORDS.has(token.text)) return
      }
      if (token.kind === 'punct') {
        if (token.text === '{') depth++
        else if (token.text === '}') {
          if (depth === 0) return
          depth--
        } else if (token.text === ';' && depth === 0) {
          this.advance()
          return
        }
      }
      this.advance()
      first = false
    }
  }

  private statement(): Stmt {
    const token = this.peek()
    if (token.kind === 'keyword') {
      switch (token.text) {
        case 'let':
          return this.letStmt()
        case 'if':
          return this.ifStmt()
        case 'while': {
          this.advance()
          const cond = this.expr(true)
          const body = this.block()
          return { kind: 'while', span: { start: token.start, end: body.span.end }, cond, body }
        }
        case 'for':
          return this.forStmt()
        case 'return': {
          this.advance()
          if (this.isPunct(';'))
            return { kind: 'return', span: { start: token.start, end: this.advance().end } }
          const value = this.expr(false)
          const end = this.expectPunct(';').end
          return { kind: 'return', span: { start: token.start, end }, value }
        }
        case 'break':
        case 'continue': {
          this.advance()
          const end = this.expectPunct(';').end
          return { kind: token.text, span: { start: token.start, end } }
        }
        default:
          break
      }
    }
    if (token.kind === 'ident' && this.peek(1).kind === 'punct' && ASSIGN_OPS.has(this.peek(1).text)) {
      return this.assignStmt()
    }
    const expr = this.expr(false)
    const next = this.peek()
    if (next.kind === 'punct' && ASSIGN_OPS.has(next.text)) {
      this.fail(
        'CCL0107',
        'only a variable can be assigned; arrays, struct fields and other expressions are immutable',
        expr.span,
      )
    }
    const end = this.expectPunct(';').end
    return { kind: 'expr', span: { start: expr.span.start, end }, expr }
  }

  private letStmt(): Stmt {
    const start = this.advance().start
    let mutable = false
    if (this.isKeyword('mut')) {
      this.advance()
      mutable = true
    }
    const name = this.expectIdent('a variable name')
    let annotation: TypeNode | undefined
    if (this.isPunct(':')) {
      this.advance()
      annotation = this.type()
    }
    this.expectPunct('=', `in \`let ${name.text}\``)
    const init = this.expr(false)
    const end = this.expectPunct(';').end
    const stmt: Stmt = { kind: 'let', span: { start, end }, name: name.text, nameSpan: name, mutable, init }
    if (annotation !== undefined) stmt.annotation = annotation
    return stmt
  }

  private assignStmt(): Stmt {
    const name = this.advance()
    const opToken = this.advance()
    const op = opToken.text as AssignOp
    const rhs = this.expr(false)
    const end = this.expectPunct(';').end
    let value = rhs
    if (op !== '=') {
      const target: Expr = { kind: 'name', name: name.text, span: name }
      value = this.node(
        {
          kind: 'binary',
          op: op.slice(0, 1) as BinaryOp,
          left: target,
          right: rhs,
          opSpan: opToken,
          span: { start: name.start, end: rhs.span.end },
        },
        target,
        rhs,
      )
    }
    return { kind: 'assign', span: { start: name.start, end }, name: name.text, nameSpan: name, op, value }
  }

  private ifStmt(): Stmt & { kind: 'if' } {
    const start = this.advance().start
    const cond = this.expr(true)
    const then = this.block()
    const stmt: Stmt & { kind: 'if' } = { kind: 'if', span: { start, end: then.span.end }, cond, then }
    if (this.isKeyword('else')) {
      this.advance()
      if (this.isKeyword('if')) {
        const nested = this.peek()
        this.enter(nested)
        const inner = this.ifStmt()
        this.leave()
        stmt.otherwise = { stmts: [inner], span: inner.span }
      } else {
        stmt.otherwise = this.block()
      }
      stmt.span = { start, end: stmt.otherwise.span.end }
    }
    return stmt
  }

  private forStmt(): Stmt {
    const start = this.advance().start
    const name = this.expectIdent('a loop variable')
    this.expectKeyword('in')
    const from = this.expr(true)
    if (this.isPunct('..')) {
      this.advance()
      const to = this.expr(true)
      const body = this.block()
      return {
        kind: 'for-range',
        span: { start, end: body.span.end },
        name: name.text,
        nameSpan: name,
        from,
        to,
        body,
      }
    }
    const body = this.block()
    return {
      kind: 'for-each',
      span: { start, end: body.span.end },
      name: name.text,
      nameSpan: name,
      iterable: from,
      body,
    }
  }

  // ---- expressions ----------------------------------------------------------------------------------------

  /** Records the tree depth of a new node; too deep a tree is rejected so later passes cannot exhaust the stack. */
  private node(expr: Expr, ...children: Expr[]): Expr {
    let depth = 0
    for (const child of children) depth = Math.max(depth, this.exprDepth.get(child) ?? 0)
    this.exprDepth.set(expr, depth + 1)
    if (depth + 1 + this.depth > MAX_NESTING) {
      this.fail(
        'CCL0106',
        `nesting too deep: blocks and expressions may nest at most ${MAX_NESTING} levels`,
        expr.span,
      )
    }
    return expr
  }

  /** `noStruct`: in `if`/`while`/`for` heads, `Name {` starts the block, not a struct literal. */
  private expr(noStruct: boolean): Expr {
    return this.binaryLevel(0, noStruct)
  }

  private static readonly LEVELS: readonly (readonly BinaryOp[])[] = [
    ['||'],
    ['&&'],
    ['==', '!='],
    ['<', '<=', '>', '>='],
    ['+', '-'],
    ['*', '/', '%'],
  ]

  private binaryLevel(level: number, noStruct: boolean): Expr {
    const ops = Parser.LEVELS[level]
    if (ops === undefined) return this.unary(noStruct)
    const comparison = level === 2 || level === 3
    let left = this.binaryLevel(level + 1, noStruct)
    let count = 0
    while (true) {
      const token = this.peek()
      if (token.kind !== 'punct' || !(ops as readonly string[]).includes(token.text)) return left
      if (comparison && count > 0) {
        this.sink.report(
          'CCL0105',
          `comparison operators cannot be chained: write \`a ${token.text} b && b ${token.text} c\` or use parentheses`,
          token,
        )
      }
      this.advance()
      const right = this.binaryLevel(level + 1, noStruct)
      const op = token.text as BinaryOp
      left = this.node(
        {
          kind: 'binary',
          op,
          left,
          right,
          opSpan: token,
          span: { start: left.span.start, end: right.span.end },
        },
        left,
        right,
      )
      count++
    }
  }

  private unary(noStruct: boolean): Expr {
    const token = this.peek()
    if (token.kind === 'punct' && (token.text === '-' || token.text === '!')) {
      this.advance()
      const next = this.peek()
      if (token.text === '-' && next.kind === 'int' && !this.isPunct('.', 1) && !this.isPunct('[', 1)) {
        // Fold `-<literal>` so the smallest Int can be written; `-9223372036854775808` is not an overflow.
        this.advance()
        if (next.value > I64_MAX + 1n) this.outOfRange(next)
        const value = next.value > I64_MAX + 1n ? 0n : -next.value
        return this.node({ kind: 'int', value, span: { start: token.start, end: next.end } })
      }
      this.enter(token)
      const operand = this.unary(noStruct)
      this.leave()
      return this.node(
        { kind: 'unary', op: token.text, operand, span: { start: token.start, end: operand.span.end } },
        operand,
      )
    }
    return this.postfix(noStruct)
  }

  private outOfRange(token: Token): void {
    this.sink.report(
      'CCL0005',
      `integer literal \`${token.text}\` does not fit in Int (at most 9223372036854775807)`,
      token,
    )
  }

  private postfix(noStruct: boolean): Expr {
    let expr = this.primary(noStruct)
    while (true) {
      if (this.isPunct('[')) {
        const open = this.advance()
        this.enter(open)
        const index = this.expr(false)
        this.leave()
        const end = this.expectPunct(']', 'to close the index').end
        expr = this.node(
          { kind: 'index', target: expr, index, span: { start: expr.span.start, end } },
          expr,
          index,
        )
      } else if (this.isPunct('.')) {
        this.advance()
        const field = this.expectIdent('a field name after `.`')
        expr = this.node(
          {
            kind: 'field',
            target: expr,
            field: field.text,
            fieldSpan: field,
            span: { start: expr.span.start, end: field.end },
          },
          expr,
        )
      } else {
        return expr
      }
    }
  }

  private primary(noStruct: boolean): Expr {
    const token = this.peek()
    switch (token.kind) {
      case 'int':
        this.advance()
        if (token.value > I64_MAX) this.outOfRange(token)
        return this.node({ kind: 'int', value: token.value > I64_MAX ? 0n : token.value, span: token })
      case 'string':
        this.advance()
        return this.node({ kind: 'string', value: token.value, span: token })
      case 'keyword':
        if (token.text === 'true' || token.text === 'false') {
          this.advance()
          return this.node({ kind: 'bool', value: token.text === 'true', span: token })
        }
        break
      case 'ident':
        this.advance()
        if (this.isPunct('(')) return this.call(token)
        if (this.isPunct('{') && !noStruct) return this.record(token)
        return this.node({ kind: 'name', name: token.text, span: token })
      case 'punct':
        if (token.text === '(') {
          this.advance()
          this.enter(token)
          const inner = this.expr(false)
          this.leave()
          const end = this.expectPunct(')', 'to close the parenthesis').end
          inner.span = { start: token.start, end }
          return inner
        }
        if (token.text === '[') return this.arrayLiteral()
        break
      default:
        break
    }
    this.fail('CCL0102', `expected an expression, found ${describe(token)}`, token)
  }

  private call(name: Token): Expr {
    const open = this.advance()
    this.enter(open)
    const args = this.list(')', 'to close the argument list')
    this.leave()
    const end = (this.tokens[this.pos - 1] as Token).end
    return this.node(
      { kind: 'call', name: name.text, nameSpan: name, args, span: { start: name.start, end } },
      ...args,
    )
  }

  private arrayLiteral(): Expr {
    const open = this.advance()
    this.enter(open)
    const elements = this.list(']', 'to close the array')
    this.leave()
    const end = (this.tokens[this.pos - 1] as Token).end
    return this.node({ kind: 'array', elements, span: { start: open.start, end } }, ...elements)
  }

  /** Comma-separated expressions up to and including `close`; a trailing comma is allowed. */
  private list(close: ')' | ']', context: string): Expr[] {
    const items: Expr[] = []
    while (!this.isPunct(close)) {
      items.push(this.expr(false))
      if (!this.separator(close, close === ')' ? 'the argument list' : 'the array')) break
    }
    this.expectPunct(close, context)
    return items
  }

  private record(name: Token): Expr {
    const open = this.advance()
    this.enter(open)
    const fields: (Expr & { kind: 'record' })['fields'] = []
    while (!this.isPunct('}')) {
      const field = this.expectIdent('a field name')
      this.expectPunct(':', `after field \`${field.text}\``)
      const value = this.expr(false)
      fields.push({ name: field.text, nameSpan: field, value })
      if (!this.separator('}', `the \`${name.text}\` literal`)) break
    }
    const end = this.expectPunct('}', `to close the \`${name.text}\` literal`).end
    this.leave()
    return this.node(
      { kind: 'record', name: name.text, nameSpan: name, fields, span: { start: name.start, end } },
      ...fields.map((f) => f.value),
    )
  }
}
