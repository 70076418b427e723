/** Korean strings of the console entries in the app frame (spread into ko.ts; every visitor downloads these). */
export const consoleNavKo = {
  "nav.seller": "판매자 센터",
  "nav.admin": "관리자",
  "nav.applySeller": "판매자 신청",
} as const;
