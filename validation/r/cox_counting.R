# Reference values for the counting-process Cox model, hccsurv.coxph(frame, "stop", "event",
# covariates, start_col="start", cluster="id"): survival's
# coxph(Surv(start, stop, event) ~ ..., cluster = id) (Efron and Breslow ties, strata, robust
# variance by cluster) on the Stanford heart transplant data (survival::heart, one to two rows per
# patient, transplant a time-varying covariate) and on a random split draw with integer-day ties.
#
#   Rscript validation/r/cox_counting.R   -> tests/reference/cox_counting.json
# Live mode (tests/core/test_r_live_cox_counting.py): data.csv has columns id, start, stop,
# event, x1, x2, grp; out.json holds the cases efron, breslow, strata (efron, strata(grp)).
#   Rscript validation/r/cox_counting.R data.csv out.json
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

fit_values <- function(formula, data, ties) {
  f <- coxph(formula, data = data, ties = ties)
  robust <- !is.null(f$naive.var)
  list(ties = ties, coef = unname(coef(f)),
       se = unname(sqrt(diag(if (robust) f$naive.var else f$var))),
       robust_se = if (robust) unname(sqrt(diag(f$var))) else NA,
       loglik = f$loglik, lr = 2 * diff(f$loglik), wald = unname(f$wald.test),
       score = unname(f$score), robust_score = if (robust) unname(f$rscore) else NA,
       n = f$n, nevent = f$nevent, iter = f$iter)
}

live_cases <- function(d) {
  list(
    efron = fit_values(Surv(start, stop, event) ~ x1 + x2, d, "efron"),
    breslow = fit_values(Surv(start, stop, event) ~ x1 + x2 + cluster(id), d, "breslow"),
    strata = fit_values(Surv(start, stop, event) ~ x1 + x2 + strata(grp) + cluster(id), d,
                        "efron")
  )
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 2) {
  write_json(live_cases(read.csv(args[1])), args[2], digits = NA, auto_unbox = TRUE,
             na = "null")
  quit(save = "no")
}

# a random split draw: each patient's follow-up cut at a switch day (x2 changes there)
set.seed(2020)
n <- 120
follow <- 1 + floor(rexp(n, 1 / 200))
switch_day <- floor(runif(n, 0, 300))
x1 <- round(rnorm(n), 2)
grp <- sample(c("a", "b"), n, replace = TRUE)
ev <- as.integer(runif(n) < 0.7)
rows <- list()
for (i in seq_len(n)) {
  if (switch_day[i] > 0 && switch_day[i] < follow[i]) {
    rows[[length(rows) + 1]] <- data.frame(id = i, start = 0, stop = switch_day[i], event = 0,
                                           x1 = x1[i], x2 = 0, grp = grp[i])
    rows[[length(rows) + 1]] <- data.frame(id = i, start = switch_day[i], stop = follow[i],
                                           event = ev[i], x1 = x1[i], x2 = 1, grp = grp[i])
  } else {
    rows[[length(rows) + 1]] <- data.frame(id = i, start = 0, stop = follow[i], event = ev[i],
                                           x1 = x1[i], x2 = 0, grp = grp[i])
  }
}
split <- do.call(rbind, rows)
h <- heart
h$surgery <- as.numeric(h$surgery)
h$transplant <- as.numeric(as.character(h$transplant))
cases <- list(
  heart = list(data = h[, c("id", "start", "stop", "event", "age", "surgery", "transplant")],
               efron = fit_values(Surv(start, stop, event) ~ age + surgery + transplant, h,
                                  "efron"),
               breslow = fit_values(Surv(start, stop, event) ~ age + surgery + transplant +
                                      cluster(id), h, "breslow"),
               robust = fit_values(Surv(start, stop, event) ~ age + surgery + transplant +
                                     cluster(id), h, "efron")),
  split = c(list(data = split), live_cases(split))
)
meta <- list(r_version = R.version.string,
             survival = as.character(packageVersion("survival")))
write_json(list(meta = meta, cases = cases), file.path("tests", "reference", "cox_counting.json"),
           digits = NA, auto_unbox = TRUE, na = "null")
