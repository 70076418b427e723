/**
 * The demo world `npm start` seeds. Plain data with no imports, so tests and docs can use it too.
 * The README's demo-login table lists these accounts; keep the two in step.
 */

export const DEMO_PASSWORD = "gonggu-demo-2026";

export interface DemoRegion {
  id: string;
  name: string;
  nameEn: string;
  city: string;
  lat: number;
  lng: number;
  radiusM: number;
}

// Dong-level neighbourhoods: approximate centre of each administrative dong, radius covering it with some margin.
export const DEMO_REGIONS = [
  {
    id: "seoul-mapo-seogyo",
    name: "서교동",
    nameEn: "Seogyo-dong",
    city: "서울 마포구",
    lat: 37.5547,
    lng: 126.9196,
    radiusM: 1500,
  },
  {
    id: "seoul-mapo-yeonnam",
    name: "연남동",
    nameEn: "Yeonnam-dong",
    city: "서울 마포구",
    lat: 37.563,
    lng: 126.9215,
    radiusM: 1500,
  },
  {
    id: "seoul-mapo-hapjeong",
    name: "합정동",
    nameEn: "Hapjeong-dong",
    city: "서울 마포구",
    lat: 37.5478,
    lng: 126.9098,
    radiusM: 1500,
  },
  {
    id: "seoul-gangnam-yeoksam",
    name: "역삼동",
    nameEn: "Yeoksam-dong",
    city: "서울 강남구",
    lat: 37.5003,
    lng: 127.0374,
    radiusM: 2000,
  },
  {
    id: "daejeon-seo-dunsan",
    name: "둔산동",
    nameEn: "Dunsan-dong",
    city: "대전 서구",
    lat: 36.3515,
    lng: 127.379,
    radiusM: 2500,
  },
  {
    id: "daejeon-yuseong-bongmyeong",
    name: "봉명동",
    nameEn: "Bongmyeong-dong",
    city: "대전 유성구",
    lat: 36.355,
    lng: 127.345,
    radiusM: 2000,
  },
] as const satisfies readonly DemoRegion[];

export type DemoRegionId = (typeof DEMO_REGIONS)[number]["id"];

export interface DemoAccount {
  /** Fixed 26-char ids (valid for idSchema) so every seed run and every later step can refer to them. */
  id: string;
  email: string;
  displayName: string;
  role: "buyer" | "seller" | "admin";
  homeRegionId: DemoRegionId | null;
  /** "current": verified now (refreshed each seed run); "expired": verified 40 days ago; "none": never. */
  verification: "current" | "expired" | "none";
  /** Sellers: their approved application (numbers are fake, 10 digits). */
  business?: { name: string; number: string };
}

/** A fixed id in the 26-char id alphabet: "0SEED" + zero padding + a readable suffix (no I, L, O or U). */
export const seedId = (suffix: string) => `0SEED${suffix.padStart(21, "0")}`;

export const DEMO_ADMIN = {
  id: seedId("ADM001"),
  email: "admin@gonggu.test",
  displayName: "공구 관리자",
  role: "admin",
  homeRegionId: "seoul-mapo-seogyo",
  verification: "current",
} as const satisfies DemoAccount;

export const DEMO_BUYERS = [
  {
    id: seedId("BYR001"),
    email: "minji@gonggu.test",
    displayName: "김민지",
    role: "buyer",
    homeRegionId: "seoul-mapo-seogyo",
    verification: "current",
  },
  {
    id: seedId("BYR002"),
    email: "junho@gonggu.test",
    displayName: "이준호",
    role: "buyer",
    homeRegionId: "seoul-mapo-yeonnam",
    verification: "current",
  },
  {
    id: seedId("BYR003"),
    email: "seoyeon@gonggu.test",
    displayName: "박서연",
    role: "buyer",
    homeRegionId: "seoul-mapo-hapjeong",
    verification: "current",
  },
  {
    id: seedId("BYR004"),
    email: "doyun@gonggu.test",
    displayName: "최도윤",
    role: "buyer",
    homeRegionId: "seoul-gangnam-yeoksam",
    verification: "current",
  },
  {
    id: seedId("BYR005"),
    email: "haeun@gonggu.test",
    displayName: "정하은",
    role: "buyer",
    homeRegionId: "daejeon-seo-dunsan",
    verification: "current",
  },
  {
    id: seedId("BYR006"),
    email: "jihun@gonggu.test",
    displayName: "강지훈",
    role: "buyer",
    homeRegionId: "daejeon-yuseong-bongmyeong",
    verification: "current",
  },
  {
    id: seedId("BYR007"),
    email: "yerin@gonggu.test",
    displayName: "오예린",
    role: "buyer",
    homeRegionId: "seoul-mapo-seogyo",
    verification: "expired",
  },
  {
    id: seedId("BYR008"),
    email: "seojun@gonggu.test",
    displayName: "윤서준",
    role: "buyer",
    homeRegionId: null,
    verification: "none",
  },
] as const satisfies readonly DemoAccount[];

export const DEMO_SELLERS = [
  {
    id: seedId("SHP001"),
    email: "mapo-farm@gonggu.test",
    displayName: "마포청과",
    role: "seller",
    homeRegionId: "seoul-mapo-seogyo",
    verification: "current",
    business: { name: "마포청과", number: "1234567801" },
  },
  {
    id: seedId("SHP002"),
    email: "yeoksam-meat@gonggu.test",
    displayName: "역삼정육",
    role: "seller",
    homeRegionId: "seoul-gangnam-yeoksam",
    verification: "current",
    business: { name: "역삼정육", number: "1234567802" },
  },
  {
    id: seedId("SHP003"),
    email: "dunsan-bakery@gonggu.test",
    displayName: "둔산베이커리",
    role: "seller",
    homeRegionId: "daejeon-seo-dunsan",
    verification: "current",
    business: { name: "둔산베이커리", number: "1234567803" },
  },
] as const satisfies readonly DemoAccount[];

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [DEMO_ADMIN, ...DEMO_BUYERS, ...DEMO_SELLERS];
