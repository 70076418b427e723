import type { validationKo } from "./validation.ko";

export const validationEn: Record<keyof typeof validationKo, string> = {
  "validation.number": "Enter a number.",
  "validation.integer": "Enter a whole number.",
  "validation.type": "Enter a valid value.",
  "validation.empty": "This can't be empty.",
  "validation.tooShort": "Enter at least {min} {min|character|characters}.",
  "validation.tooLong": "Enter at most {max} {max|character|characters}.",
  "validation.numberMin": "Must be at least {min}.",
  "validation.numberMax": "Must be at most {max}.",
  "validation.arrayMin": "Choose at least {min}.",
  "validation.arrayMax": "Choose at most {max}.",
  "validation.step": "Use steps of {step}.",
  "validation.email": "That is not an email address.",
  "validation.format": "The format is not right.",
  "validation.choice": "Choose one of the options.",
  "validation.invalid": "Check what you entered.",
  "validation.noControlChars": "Line breaks and control characters are not allowed.",
  "validation.consent": "Read and accept the terms.",
  "validation.phone": "Enter a phone number starting with 0 (010-1234-5678).",
  "validation.accountNumber": "Account numbers are 10–16 digits (hyphens are fine).",
  "validation.businessNumber": "Enter the 10-digit business number (123-45-67890).",
};
