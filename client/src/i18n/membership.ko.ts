/** Korean strings of membership: tier names and membership notifications (spread into ko.ts). */
export const membershipKo = {
  "membership.tier.sprout": "새싹",
  "membership.tier.neighbor": "이웃",
  "membership.tier.regular": "단골",
  "membership.tier.vip": "VIP",

  "notification.membership.tier_up": "축하해요! 멤버십 등급이 {tier} 등급으로 올랐어요.",
  "notification.membership.tier_down": "최근 3개월 구매 금액에 따라 이번 달 등급이 {tier} 등급으로 조정됐어요.",
  "notification.membership.plus_renewal_soon": "공구 플러스가 {date}에 자동 갱신돼요 ({price}).",
  "notification.membership.plus_renewal_short": "포인트가 부족해요. 갱신일 전에 충전해 주세요.",
  "notification.membership.plus_renewed": "공구 플러스가 갱신됐어요 ({price}). 다음 갱신은 {date}에 해요.",
  "notification.membership.plus_lapsed":
    "포인트가 {shortfall} 부족해서 공구 플러스가 해지됐어요. 충전 후 다시 가입할 수 있어요.",
  "notification.membership.plus_ended": "공구 플러스 이용 기간이 끝났어요.",
  "notification.membership.reward_expiring": "적립금 {amount}이 {date}에 소멸돼요. 그 전에 사용해 주세요.",
  "notification.membership.reward_clawed_back": "환불된 주문으로 받은 적립금 {amount}을 회수했어요.",
  "notification.membership.reward_clawed_back_charged": "이미 사용한 {charged}은 충전 포인트에서 차감했어요.",
} as const;
