/** The IPC messages between the parent (bench/server-process.ts) and a benchmark server (bench/app/server.ts). */

export type ParentMessage = { readonly type: 'cpu' } | { readonly type: 'stop' };

export type ServerMessage = { readonly type: 'listening'; readonly port: number } | { readonly type: 'cpu'; readonly micros: number };
