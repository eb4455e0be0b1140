# Reference values for hccsurv.core.concordance at n = 100,000 (issue 15, part 2): ties in time
# and in the predictor, three strata and non-integer case weights.
# Run from the repository root:  Rscript validation/r/concordance_large.R
# Writes tests/reference/concordance_large.json (R 4.2.2, survival 3.x): summary numbers only.
# The data come from integer formulas that R and numpy evaluate exactly (all products < 2^53),
# so the test rebuilds them instead of reading 100,000 rows:
#   i = 1..n; time = (i * 7919) %% 1000 + 1; status = (i * 104729) %% 10 < 7;
#   x = ((i * 15485863) %% 97) / 10; stratum = i %% 3; w = 0.5 + ((i * 31) %% 7) / 4
suppressPackageStartupMessages({library(survival); library(jsonlite)})
n <- 100000
i <- seq_len(n)
d <- data.frame(time = (i * 7919) %% 1000 + 1, status = as.integer((i * 104729) %% 10 < 7),
                x = ((i * 15485863) %% 97) / 10, s = i %% 3, w = 0.5 + ((i * 31) %% 7) / 4)
one <- function(fit) {
  cnt <- if (is.matrix(fit$count)) colSums(fit$count) else fit$count  # strata: one row each
  list(concordance = unname(fit$concordance), se = sqrt(unname(fit$var)),
       concordant = unname(cnt["concordant"]), discordant = unname(cnt["discordant"]),
       tied_x = unname(cnt["tied.x"]), tied_y = unname(cnt["tied.y"]),
       tied_xy = unname(cnt["tied.xy"]))
}
elapsed <- system.time(
  weighted <- concordance(Surv(time, status) ~ x + strata(s), data = d, weights = w)
)[["elapsed"]]
out <- list(
  generated_by = "validation/r/concordance_large.R",
  r_version = R.version.string,
  n = n,
  weighted_strata = one(weighted),
  weighted_strata_call = "concordance(Surv(time, status) ~ x + strata(s), data = d, weights = w)",
  plain = one(concordance(Surv(time, status) ~ x, data = d)),
  plain_call = "concordance(Surv(time, status) ~ x, data = d)",
  reverse = one(concordance(Surv(time, status) ~ x, data = d, reverse = TRUE)),
  reverse_call = "concordance(Surv(time, status) ~ x, data = d, reverse = TRUE)",
  r_seconds_weighted = elapsed
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           file.path("tests", "reference", "concordance_large.json"))
