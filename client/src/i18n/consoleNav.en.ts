import type { consoleNavKo } from "./consoleNav.ko";

export const consoleNavEn: Record<keyof typeof consoleNavKo, string> = {
  "nav.seller": "Seller centre",
  "nav.admin": "Admin",
  "nav.applySeller": "Become a seller",
};
