// Vitest setup file (vitest.config.ts): after each test file, close the shared HTTP dispatcher of
// src/providers/http-client.ts. In-process runs keep it open between runs (keepHttp), and without
// per-file isolation a worker would otherwise carry its pooled connections into the next file.
import { afterAll } from 'vitest';
import { closeHttp } from '../../src/providers/http-client.js';

afterAll(async () => {
  await closeHttp();
});
