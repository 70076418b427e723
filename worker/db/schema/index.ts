// One file per domain; this barrel is what drizzle and the data-access layer import.
export * from "./accounts";
export * from "./board";
export * from "./community";
export * from "./groupbuy";
export * from "./membership";
export * from "./payments";
export * from "./recommend";
export * from "./wallet";
