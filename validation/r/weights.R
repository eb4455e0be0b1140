# Reference values for non-integer case weights (issue 15, part 3): R's defaults switch to the
# robust variance. coxph(Surv(time, status) ~ x1 + x2, weights = w) uses the sandwich variance
# (robust = TRUE is its default for non-integer weights); survfit(Surv(time, status) ~ 1,
# weights = w) the infinitesimal jackknife (its std.err is then the se of S; the intervals use
# std.err / surv as the se of log S).
# Run from the repository root:  Rscript validation/r/weights.R
# Writes tests/reference/weights.json (R 4.2.2, survival 3.x), data included (set.seed(15)).
# Live mode (tests/core/test_r_live_weights.py):  Rscript validation/r/weights.R in.json out.json
# where in.json holds {time, status, x1, x2, w}.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)

fits <- function(d) {
  cx <- coxph(Surv(time, status) ~ x1 + x2, data = d, weights = w, ties = "efron")
  s <- summary(cx)
  km <- survfit(Surv(time, status) ~ 1, data = d, weights = w)
  kg <- survfit(Surv(time, status) ~ x2, data = d, weights = w)  # one curve per x2 (0, 1)
  num <- function(v) ifelse(is.finite(v), v, NA)
  list(
    cox = list(coef = unname(coef(cx)), se = unname(sqrt(diag(cx$naive.var))),
               robust_se = unname(sqrt(diag(cx$var))), p = unname(s$coefficients[, "Pr(>|z|)"]),
               lower = unname(s$conf.int[, "lower .95"]), upper = unname(s$conf.int[, "upper .95"])),
    km = list(time = km$time, surv = km$surv, std_err = num(km$std.err),
              lower = num(km$lower), upper = num(km$upper)),
    km_by_x2 = list(strata = unname(kg$strata), time = kg$time, surv = kg$surv,
                    std_err = num(kg$std.err), lower = num(kg$lower), upper = num(kg$upper))
  )
}

if (length(args) == 2) {
  d <- as.data.frame(fromJSON(args[1]))
  writeLines(toJSON(fits(d), digits = NA, na = "null"), args[2])
  quit(save = "no")
}
set.seed(15)
n <- 120
d <- data.frame(x1 = rnorm(n), x2 = rbinom(n, 1, 0.4))
d$time <- round(rexp(n, 0.05 * exp(0.4 * d$x1 - 0.5 * d$x2)), 0) + 1  # integer days: ties
d$status <- rbinom(n, 1, 0.75)
d$w <- round(1 / runif(n, 0.2, 0.9), 3)  # IPTW-like, non-integer
out <- c(list(data = as.list(d)), fits(d))
writeLines(toJSON(out, digits = NA, na = "null", pretty = TRUE),
           file.path("tests", "reference", "weights.json"))
