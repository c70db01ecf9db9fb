/**
 * The syntax tree. The parser fills in the syntax; the checker annotates it in place (`type`, `ref`, `callee`,
 * `local`), and both the code generator and the reference interpreter read the annotations, so they cannot
 * disagree about what a name or an operator means.
 */
import type { Span } from './diagnostics'
import type { Type } from './types'
import type { HostImportName } from '../runtime/abi'

export type TypeNode =
  { kind: 'named'; name: string; span: Span } | { kind: 'array'; element: TypeNode; span: Span }

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%'
export type UnaryOp = '-' | '!'
export type BuiltinName = 'len' | 'mana' | 'int' | 'did' | 'string'

/** A compile-time constant value (constants are folded by the checker). */
export type ConstValue = bigint | boolean | string

export type NameRef = { kind: 'local'; id: number } | { kind: 'const'; value: ConstValue }

export type Callee =
  | { kind: 'user'; index: number }
  | { kind: 'host'; name: HostImportName }
  | { kind: 'builtin'; name: BuiltinName }

interface ExprBase {
  span: Span
  /** Set by the checker. */
  type?: Type
}

export type Expr =
  | (ExprBase & { kind: 'int'; value: bigint })
  | (ExprBase & { kind: 'bool'; value: boolean })
  | (ExprBase & { kind: 'string'; value: string })
  | (ExprBase & { kind: 'name'; name: string; ref?: NameRef })
  | (ExprBase & { kind: 'unary'; op: UnaryOp; operand: Expr })
  | (ExprBase & { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; opSpan: Span })
  | (ExprBase & { kind: 'call'; name: string; nameSpan: Span; args: Expr[]; callee?: Callee })
  | (ExprBase & { kind: 'index'; target: Expr; index: Expr })
  | (ExprBase & { kind: 'field'; target: Expr; field: string; fieldSpan: Span; fieldIndex?: number })
  | (ExprBase & { kind: 'array'; elements: Expr[] })
  | (ExprBase & {
      kind: 'record'
      name: string
      nameSpan: Span
      fields: { name: string; nameSpan: Span; value: Expr; index?: number }[]
    })

export type AssignOp = '=' | '+=' | '-=' | '*=' | '/=' | '%='

export interface Block {
  stmts: Stmt[]
  span: Span
}

export type Stmt =
  | {
      kind: 'let'
      span: Span
      name: string
      nameSpan: Span
      mutable: boolean
      annotation?: TypeNode
      init: Expr
      local?: number
    }
  /** `x op= e` is kept as written; `value` is `x op e` built by the parser so every consumer treats it alike. */
  | { kind: 'assign'; span: Span; name: string; nameSpan: Span; op: AssignOp; value: Expr; local?: number }
  | { kind: 'if'; span: Span; cond: Expr; then: Block; otherwise?: Block }
  | { kind: 'while'; span: Span; cond: Expr; body: Block }
  | {
      kind: 'for-range'
      span: Span
      name: string
      nameSpan: Span
      from: Expr
      to: Expr
      body: Block
      local?: number
    }
  | {
      kind: 'for-each'
      span: Span
      name: string
      nameSpan: Span
      iterable: Expr
      body: Block
      local?: number
    }
  | { kind: 'return'; span: Span; value?: Expr }
  | { kind: 'break'; span: Span }
  | { kind: 'continue'; span: Span }
  | { kind: 'expr'; span: Span; expr: Expr }

export interface Param {
  name: string
  span: Span
  type: TypeNode
}

export interface FnDecl {
  kind: 'fn'
  name: string
  nameSpan: Span
  span: Span
  params: Param[]
  result?: TypeNode
  body: Block
}

export interface ConstDecl {
  kind: 'const'
  name: string
  nameSpan: Span
  span: Span
  type: TypeNode
  init: Expr
}

export interface StructDecl {
  kind: 'struct'
  name: string
  nameSpan: Span
  span: Span
  fields: { name: string; span: Span; type: TypeNode }[]
}

export type Item = FnDecl | ConstDecl | StructDecl

export interface Program {
  items: Item[]
}
