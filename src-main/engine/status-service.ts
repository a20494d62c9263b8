/** `status.get` and the heartbeat: the engine's own state, sent every few seconds as `status`. */
import type { EngineStatus, HostKind, Role } from '../../src-shared/schemas/status.js';
import { APP_VERSION } from '../version.js';
import type { EventBus } from './events.js';
import type { HandlerSlice, Service } from './service.js';

export class StatusService implements Service<'status.get'> {
  readonly name = 'status';
  readonly handlers: HandlerSlice<'status.get'> = { 'status.get': () => this.status() };
  role: Role = 'idle';
  private readonly startedAt: Date;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly options: {
      host: HostKind;
      dataDir: string;
      events: EventBus;
      heartbeatSeconds: number;
      now: () => Date;
    },
  ) {
    this.startedAt = options.now();
    this.heartbeat = setInterval(() => options.events.emit('status', this.status()), options.heartbeatSeconds * 1000);
    this.heartbeat.unref();
  }

  status(): EngineStatus {
    return {
      version: APP_VERSION,
      host: this.options.host,
      role: this.role,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.max(0, (Date.now() - this.startedAt.getTime()) / 1000),
      dataDir: this.options.dataDir,
      platform: `${process.platform}-${process.arch}`,
      nodeVersion: process.versions.node,
    };
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }
}
