import { z } from "zod";
import { regionIdSchema } from "./common";

export const verifyRegionInput = z.object({
  regionId: regionIdSchema,
  lat: z.number().min(-90, "Latitude is between -90 and 90").max(90, "Latitude is between -90 and 90"),
  lng: z.number().min(-180, "Longitude is between -180 and 180").max(180, "Longitude is between -180 and 180"),
});

export const REGION_VERIFICATION_DAYS = 30;
