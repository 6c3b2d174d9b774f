/**
 * The model `normalize` builds from the demo spec (/sessions.yaml), written out by hand so the emitters
 * can be tested without the spec loader.
 */
import type { SpecModel } from '../../generator/model.js';

export const demoModel: SpecModel = {
  specFileName: 'sessions.yaml',
  keys: {
    main: { env: 'SESSION_KEYS' },
    ktor_sign: { env: 'KTOR_SIGN_KEY', encoding: 'hex' },
  },
  storages: { mem: { kind: 'memory', maxEntries: 100000 } },
  types: [
    {
      name: 'User',
      schema: {
        description: "The signed-in user, as the Ktor service and the user session's version 1 write it.",
        type: 'object',
        properties: {
          userId: { type: 'string', minLength: 1, maxLength: 64 },
          name: { type: 'string', maxLength: 100 },
          roles: { type: 'array', items: { enum: ['admin', 'member'] }, maxItems: 2 },
        },
        required: ['userId'],
        additionalProperties: false,
      },
    },
    {
      name: 'CartItem',
      schema: {
        description: 'One line of the shopping cart.',
        type: 'object',
        properties: {
          sku: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' },
          qty: { type: 'integer', minimum: 1, maximum: 99 },
        },
        required: ['sku', 'qty'],
        additionalProperties: false,
      },
    },
  ],
  sessions: [
    {
      name: 'user',
      typeName: 'UserSession',
      providerName: 'UserSessionProvider',
      transport: {
        kind: 'cookie',
        name: 'USER_SESSION',
        cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false, persistent: false },
      },
      transforms: [{ kind: 'encrypt', keys: 'main' }],
      expiry: { maxAge: 604800, idle: 1800, rolling: true },
      schema: {
        description: 'The signed-in user.',
        type: 'object',
        properties: {
          userId: { type: 'string', minLength: 1, maxLength: 64 },
          displayName: { type: 'string', minLength: 1, maxLength: 100 },
          roles: { type: 'array', items: { enum: ['admin', 'member'] }, maxItems: 2 },
        },
        required: ['userId', 'displayName'],
        additionalProperties: false,
      },
      migrateFrom: { session: 'ktor_user', keepSource: true },
      flash: { notice: { type: 'string', maxLength: 200 } },
      version: 2,
      history: [
        {
          version: 1,
          typeName: 'UserSessionV1',
          schema: { $ref: '#/types/User' },
          migrate: { module: './examples/session-migrations.js', export: 'userV1toV2' },
        },
      ],
    },
    {
      name: 'cart',
      typeName: 'CartSession',
      providerName: 'CartSessionProvider',
      transport: { kind: 'header', name: 'X-Cart-Session' },
      transforms: [],
      storage: 'mem',
      expiry: { maxAge: 86400, idle: 7200, rolling: false },
      schema: {
        type: 'object',
        properties: { items: { type: 'array', items: { $ref: '#/types/CartItem' }, maxItems: 50 } },
        required: ['items'],
        additionalProperties: false,
      },
    },
    {
      name: 'ktor_user',
      typeName: 'KtorUserSession',
      providerName: 'KtorUserSessionProvider',
      transport: {
        kind: 'cookie',
        name: 'user_session',
        cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false, persistent: true },
      },
      ktor: { serializer: 'json' },
      transforms: [{ kind: 'ktor-sign', keys: 'ktor_sign', algorithm: 'sha256' }],
      expiry: { maxAge: 604800, rolling: false },
      schema: { $ref: '#/types/User' },
    },
    {
      name: 'device',
      typeName: 'DeviceSession',
      providerName: 'DeviceSessionProvider',
      transport: {
        kind: 'cookie',
        name: 'DEVICE_SESSION',
        cookie: { path: '/', httpOnly: true, secure: 'auto', sameSite: 'lax', partitioned: false, persistent: false },
      },
      transforms: [],
      storage: 'mem',
      index: ['userId'],
      summary: [['agent']],
      expiry: { maxAge: 604800, idle: 1800, rolling: false },
      schema: {
        type: 'object',
        properties: {
          userId: { type: 'string', minLength: 1, maxLength: 64 },
          agent: { type: 'string', maxLength: 200 },
        },
        required: ['userId', 'agent'],
        additionalProperties: false,
      },
    },
  ],
};
