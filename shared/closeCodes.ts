/**
 * Close codes the server ends a socket with on purpose (room sockets and the notification channel). The session
 * ended: logout of the session the socket was opened with, or its expiry. Too many: a user's oldest notification tab, or their oldest socket in a room.
 */
export const CLOSE_CODES = { sessionEnded: 4001, suspended: 4003, readersLetGo: 4004, tooMany: 4008 } as const;

/** The server let this socket go (4xxx) or refused it by policy (1008): final, a reconnect would loop or be refused. */
export const isFinalClose = (code: number) => code === 1008 || (code >= 4000 && code < 5000);
