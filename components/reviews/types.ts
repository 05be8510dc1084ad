// What the /reviews components receive from their page: the use cases' serialized types,
// imported as types only (erased at build time, so no server code reaches the browser).
import type { ReviewPack, ScheduleListItem } from "@/lib/server/reviews/service.ts";

export type { ReviewPack, ScheduleListItem };
export type Result<T extends object = object> = ({ ok: true } & T) | { ok: false; error: string };
export type ReviewActions = {
  schedule: (input: {
    viewId: string;
    frequency: string;
    cron: string;
    timeZone: string;
  }) => Promise<Result<{ id: string }>>;
  template: (template: string, timeZone: string) => Promise<Result<{ id: string }>>;
  run: (scheduleId: string) => Promise<Result<{ id: string }>>;
  signOff: (packId: string, comment: string) => Promise<Result<{ id: string }>>;
};
