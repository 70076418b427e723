-- The guard row now records the daily cron's runs too (worker/wallet/reconcileRuns.ts): "admin" → "latest".
UPDATE `reconciliation_runs` SET `id` = 'latest' WHERE `id` = 'admin';
