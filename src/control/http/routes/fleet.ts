// `GET /api/fleet` (docs/fleet.md, Fleet view): the fleet's hosts, their instances and lease
// ages, and the desired-active instances no host owns. 404 when the host is not in a fleet.
import { HttpError, sendJson } from '../http-io.ts';
import type { Route } from '../router.ts';

export const fleetRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/fleet',
    handler: async ({ res, fleet }) => {
      if (!fleet) throw new HttpError(404, 'NotFound', 'this host is not part of a fleet (start it with `mediagraph serve --fleet`)');
      sendJson(res, 200, await fleet.view(), { 'cache-control': 'no-store' });
    },
  },
];
