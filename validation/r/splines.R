# Reference values for hccsurv.rcs and hccsurv.spline_cox: Hmisc/rms restricted cubic splines.
# Knots by rcspline.eval(x, nk) (Harrell's quantiles, the n < 100 rule moving the outer knots to
# the 5th smallest / largest value, a point mass at an end set aside), the basis
# rcspline.eval(x, knots, inclx = TRUE), and the Cox fit cph(Surv(time, event) ~ rcs(x, nk) + age)
# with anova()'s Wald "Nonlinear" test, the likelihood-ratio test against the linear model
# (coxph(Surv(time, event) ~ x + age)) and the HR curve against a reference value
# (rms::contrast of each grid value against the reference). cph is run with eps = 1e-9, the
# convergence criterion of coxph (and hccsurv); its own default 1e-4 stops ~1e-3 short.
#
#   Rscript validation/r/splines.R   -> tests/reference/splines.json
# Live mode (tests/analysis/test_r_live_splines.py): data.csv has time, event, x, age.
#   Rscript validation/r/splines.R data.csv nk ref out.json
suppressPackageStartupMessages({
  library(survival)
  library(rms)
  library(jsonlite)
})

spline_values <- function(d, nk, ref, grid) {
  knots <- rcspline.eval(d$x, nk = nk, knots.only = TRUE)
  dd <- datadist(d)
  assign("dd", dd, envir = globalenv())
  options(datadist = "dd")
  f <- as.formula(sprintf("Surv(time, event) ~ rcs(x, %d) + age", nk))
  fit <- cph(f, data = d, x = TRUE, y = TRUE, eps = 1e-9, tol = 1e-11)
  lin <- coxph(Surv(time, event) ~ x + age, data = d)
  a <- anova(fit)
  k <- contrast(fit, list(x = grid), list(x = ref))
  list(nk = nk, ref = ref, knots = knots, basis = unname(rcspline.eval(d$x[1:10], knots,
                                                                       inclx = TRUE)),
       coef = unname(coef(fit)), se = unname(sqrt(diag(vcov(fit)))),
       loglik = unname(fit$loglik), loglik_linear = lin$loglik[2],
       wald_nonlinear = unname(a[" Nonlinear", "Chi-Square"]),
       wald_x = unname(a["x", "Chi-Square"]),
       grid = grid, log_hr = unname(k$Contrast), log_hr_se = unname(k$SE),
       lower = unname(k$Lower), upper = unname(k$Upper))
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 4) {
  d <- read.csv(args[1])
  grid <- unname(quantile(d$x, seq(0.05, 0.95, by = 0.1)))
  write_json(spline_values(d, as.integer(args[2]), as.numeric(args[3]), grid), args[4],
             digits = NA, auto_unbox = TRUE, na = "null")
  quit(save = "no")
}

set.seed(2020)
n <- 80  # below 100: the outer knots move to the 5th smallest / largest value
x <- round(rlnorm(n, 3, 1), 1)  # AFP-like, skewed
age <- round(rnorm(n, 62, 9))
time <- round(rexp(n, exp(-3 + 0.6 * log(x) - 0.03 * (log(x) - 3)^2 * 8)), 2) + 0.01
event <- as.integer(runif(n) < 0.8)
small <- data.frame(time = time, event = event, x = x, age = age)
set.seed(20)
m <- 300
big <- data.frame(time = round(rexp(m, 1 / 20), 2) + 0.01, event = as.integer(runif(m) < 0.7),
                  x = c(rep(0, 30), round(runif(m - 30, 0, 10), 2)), age = round(rnorm(m, 60, 10)))
meta <- list(r_version = R.version.string, rms = as.character(packageVersion("rms")),
             Hmisc = as.character(packageVersion("Hmisc")))
cases <- list(
  small4 = c(list(data = small), spline_values(small, 4, 20, c(5, 10, 20, 40, 80))),
  small3 = c(list(data = small), spline_values(small, 3, 20, c(5, 10, 40))),
  big5 = c(list(data = big), spline_values(big, 5, 5, c(0, 1, 2.5, 7.5, 9)))
)
write_json(list(meta = meta, cases = cases), file.path("tests", "reference", "splines.json"),
           digits = NA, auto_unbox = TRUE, na = "null")
