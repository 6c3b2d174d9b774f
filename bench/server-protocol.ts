/** The IPC messages between bench/run.ts (parent) and a benchmark server (bench/server.ts). */

export type ParentMessage = { readonly type: 'cpu' } | { readonly type: 'stop' };

export type ServerMessage = { readonly type: 'listening'; readonly port: number } | { readonly type: 'cpu'; readonly micros: number };
