import { splitTotal } from "../../shared/money.ts";
import type { ProductCategory } from "../../shared/schemas/groupbuy.ts";
import { groupBuys, products } from "../../worker/db/schema/index.ts";
import { DEMO_REGIONS, DEMO_SELLERS, type DemoRegionId, seedId } from "./demo-data.ts";
import { DAY_MS, insertOrIgnore, type SeedStep } from "./sql.ts";

const HOUR = 3_600_000;

interface DemoProduct {
  key: string;
  seller: (typeof DEMO_SELLERS)[number]["id"];
  title: string;
  description: string;
  category: ProductCategory;
  totalQuantity: number;
  unit: string;
  totalPrice: number;
  allowHosts: boolean;
}

const [MAPO, YEOKSAM, DUNSAN] = DEMO_SELLERS.map((s) => s.id);

const PRODUCTS: DemoProduct[] = [
  {
    key: "P01",
    seller: MAPO,
    title: "제주 감귤 10kg",
    description: "산지 직송, 로얄과 위주",
    category: "fresh",
    totalQuantity: 10,
    unit: "kg",
    totalPrice: 39_900,
    allowHosts: true,
  },
  {
    key: "P02",
    seller: MAPO,
    title: "친환경 대추방울토마토 5kg",
    description: "무농약 인증 농가",
    category: "fresh",
    totalQuantity: 5,
    unit: "kg",
    totalPrice: 32_000,
    allowHosts: true,
  },
  {
    key: "P03",
    seller: MAPO,
    title: "키친타월 24롤",
    description: "3겹 대용량",
    category: "household",
    totalQuantity: 24,
    unit: "롤",
    totalPrice: 21_000,
    allowHosts: false,
  },
  {
    key: "P04",
    seller: YEOKSAM,
    title: "한돈 삼겹살 3kg",
    description: "냉장, 500g씩 소분",
    category: "fresh",
    totalQuantity: 6,
    unit: "팩",
    totalPrice: 75_000,
    allowHosts: true,
  },
  {
    key: "P05",
    seller: YEOKSAM,
    title: "1++ 한우 불고기 2kg",
    description: "양념 없이 손질만",
    category: "fresh",
    totalQuantity: 4,
    unit: "팩",
    totalPrice: 98_000,
    allowHosts: false,
  },
  {
    key: "P06",
    seller: DUNSAN,
    title: "천연발효 식빵 10개",
    description: "당일 아침 구움",
    category: "processed",
    totalQuantity: 10,
    unit: "개",
    totalPrice: 45_000,
    allowHosts: true,
  },
  {
    key: "P07",
    seller: DUNSAN,
    title: "강아지 수제 간식 1kg",
    description: "닭가슴살 100%",
    category: "pet",
    totalQuantity: 10,
    unit: "봉",
    totalPrice: 30_000,
    allowHosts: true,
  },
];

/** [product, region, shares, minimum, max per person, days until the deadline] */
const BUYS: [string, DemoRegionId, number, number, number, number][] = [
  ["P01", "seoul-mapo-seogyo", 10, 6, 3, 3],
  ["P02", "seoul-mapo-seogyo", 5, 3, 2, 5],
  ["P03", "seoul-mapo-yeonnam", 6, 4, 2, 4],
  ["P01", "seoul-mapo-hapjeong", 10, 5, 2, 6],
  ["P04", "seoul-gangnam-yeoksam", 6, 4, 2, 3],
  ["P05", "seoul-gangnam-yeoksam", 4, 4, 1, 7],
  ["P06", "daejeon-seo-dunsan", 10, 5, 3, 2],
  ["P07", "daejeon-yuseong-bongmyeong", 10, 4, 3, 5],
];

/**
 * Products of the demo sellers and OPEN group buys in the demo regions. Group buys are keyed by the week of the run,
 * so `npm start` any day shows open buys with future deadlines, while a buy seeded earlier is left to its own
 * lifecycle (its Durable Object owns it after the first visit). Nobody has joined yet: joining moves points, which
 * only the app does.
 */
export default {
  name: "group buys",
  statements({ now }) {
    const productRows = PRODUCTS.map((p, i) => ({
      id: seedId(`PRD${p.key}`),
      sellerId: p.seller,
      title: p.title,
      description: p.description,
      category: p.category,
      imageUrls: [],
      totalQuantity: p.totalQuantity,
      unit: p.unit,
      totalPrice: p.totalPrice,
      allowHosts: p.allowHosts,
      archived: false,
      createdAt: now - 20 * DAY_MS + i * 60_000,
      updatedAt: now - 20 * DAY_MS + i * 60_000,
    }));
    const week = Math.floor(now / (7 * DAY_MS));
    const buyRows = BUYS.map(([key, regionId, totalShares, minShares, maxPerPerson, days], i) => {
      const p = PRODUCTS.find((x) => x.key === key)!;
      const deadline = now + days * DAY_MS;
      return {
        id: seedId(`GB${week}${String(i).padStart(2, "0")}`),
        productId: seedId(`PRD${p.key}`),
        sellerId: p.seller,
        hostId: p.seller,
        regionId,
        title: p.title,
        category: p.category,
        unit: p.unit,
        totalQuantity: p.totalQuantity,
        totalPrice: p.totalPrice,
        totalShares,
        minShares,
        maxPerPerson,
        pricePerShare: splitTotal(p.totalPrice, totalShares).perShare,
        deadline,
        pickupPlace: `${DEMO_REGIONS.find((r) => r.id === regionId)?.name ?? ""} 주민센터 앞`,
        pickupStart: deadline + 24 * HOUR,
        pickupEnd: deadline + 72 * HOUR,
        status: "OPEN" as const,
        createdAt: now - (BUYS.length - i) * HOUR,
        updatedAt: now,
      };
    });
    return [...insertOrIgnore(products, productRows), ...insertOrIgnore(groupBuys, buyRows)];
  },
} satisfies SeedStep;
