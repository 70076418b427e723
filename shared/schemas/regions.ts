import { z } from "zod";
import { regionIdSchema } from "./common";

export const verifyRegionInput = z.object({
  regionId: regionIdSchema,
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
});

export const REGION_VERIFICATION_DAYS = 30;
