/** The request header the web server (server/web/server.ts) sets to the client's address; nothing else sets it. */
export const CLIENT_IP_HEADER = "x-millrace-client-ip";
