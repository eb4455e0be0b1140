# Reference values for hccsurv's competing-risks API (issue 18): the Aalen-Johansen CIF as
# survfit reports it (infinitesimal-jackknife std.err, log limits, landmarks), Fine-Gray models
# from cmprsk::crr and from coxph on survival::finegray data, and cause-specific Cox models.
# Run from the repository root: Rscript validation/r/competing_risks.R
suppressPackageStartupMessages({library(cmprsk); library(survival)})
stopifnot(packageVersion("cmprsk") == "2.2.11", packageVersion("survival") >= "3.5")

# survfit multi-state: every cause's curve at the distinct event times (any cause); landmarks
# as summary(fit, times, extend = TRUE) (carried past the last time, as hccsurv's KM)
aj <- function(time, status, levels, landmarks) {
  fit <- survfit(Surv(time, factor(status, levels)) ~ 1)
  keep <- rowSums(fit$n.event[, -1, drop = FALSE]) > 0
  lm <- summary(fit, times = landmarks, extend = TRUE)
  per <- lapply(seq_along(levels)[-1], function(j) list(
    est = fit$pstate[keep, j], se = fit$std.err[keep, j], lower = fit$lower[keep, j],
    upper = fit$upper[keep, j], n_event = fit$n.event[keep, j],
    lm_est = lm$pstate[, j], lm_se = lm$std.err[, j], lm_lower = lm$lower[, j],
    lm_upper = lm$upper[, j]))
  names(per) <- levels[-1]
  list(time = fit$time[keep], n_risk = fit$n.risk[keep, 1], landmarks = landmarks, causes = per)
}

# crr with summary.crr's quantities at full precision (summary rounds the p-value)
crr_fit <- function(time, status, X, cause) {
  f <- crr(time, status, X, failcode = cause)
  se <- sqrt(diag(f$var))
  z <- f$coef / se
  list(coef = unname(f$coef), se = unname(se), model_se = unname(sqrt(diag(f$invinf))),
       p = unname(2 * pnorm(-abs(z))), lower = unname(exp(f$coef - qnorm(0.975) * se)),
       upper = unname(exp(f$coef + qnorm(0.975) * se)), loglik = f$loglik,
       loglik_null = f$loglik.null, converged = f$converged)
}

# coxph on finegray data: the default call, which reports the robust se (non-integer weights)
fg_fit <- function(data, formula_rhs, cause_label) {
  fgd <- finegray(Surv(time, ev) ~ ., data = data, etype = cause_label)
  f <- coxph(as.formula(paste("Surv(fgstart, fgstop, fgstatus) ~", formula_rhs)),
             weight = fgwt, data = fgd)
  s <- summary(f)
  list(coef = unname(coef(f)), se = unname(sqrt(diag(f$var))),
       model_se = unname(sqrt(diag(f$naive.var))), p = unname(s$coefficients[, "Pr(>|z|)"]),
       lower = unname(s$conf.int[, "lower .95"]), upper = unname(s$conf.int[, "upper .95"]),
       loglik = f$loglik[2], loglik_null = f$loglik[1])
}

cs_fit <- function(time, status, data, formula_rhs, cause) {
  data$cs_time <- time
  data$cs_event <- as.numeric(status == cause)
  f <- coxph(as.formula(paste("Surv(cs_time, cs_event) ~", formula_rhs)), data = data)
  s <- summary(f)
  list(coef = unname(coef(f)), se = unname(sqrt(diag(f$var))),
       p = unname(s$coefficients[, "Pr(>|z|)"]), lower = unname(s$conf.int[, "lower .95"]),
       upper = unname(s$conf.int[, "upper .95"]))
}

# --- mgus2: progression (1) with death before progression (2) competing; complete cases -----
d <- survival::mgus2
d <- d[!is.na(d$hgb), ]
etime <- with(d, ifelse(pstat == 0, futime, ptime))
event <- with(d, ifelse(pstat == 0, 2 * death, 1))
X <- cbind(age = d$age, sexM = as.numeric(d$sex == "M"), hgb = d$hgb)
mg <- data.frame(time = etime, ev = factor(event, 0:2, c("censor", "pcm", "death")),
                 age = d$age, sex = d$sex, hgb = d$hgb)
landmarks <- c(12, 60, 120, 240)
mgus2 <- list(
  time = etime, status = event, age = d$age, sex = as.character(d$sex), hgb = d$hgb,
  aj = aj(etime, event, 0:2, landmarks),
  aj_female = aj(etime[d$sex == "F"], event[d$sex == "F"], 0:2, landmarks),
  aj_male = aj(etime[d$sex == "M"], event[d$sex == "M"], 0:2, landmarks),
  crr1 = crr_fit(etime, event, X, 1), crr2 = crr_fit(etime, event, X, 2),
  finegray1 = fg_fit(mg, "age + sex + hgb", "pcm"),
  finegray2 = fg_fit(mg, "age + sex + hgb", "death"),
  cs1 = cs_fit(etime, event, mg, "age + sex + hgb", 1),
  cs2 = cs_fit(etime, event, mg, "age + sex + hgb", 2)
)

# --- synthetic: integer times (ties, censorings tied with events), a three-level factor with
# reference "b", two strata for Gray's test, and a cause 3 without events --------------------
set.seed(1818)
n <- 400
st <- pmax(1, round(rexp(n, 0.08)))
ss <- sample(0:2, n, replace = TRUE, prob = c(0.3, 0.45, 0.25))
arm <- sample(c("a", "b", "c"), n, replace = TRUE)
x <- round(rnorm(n), 3)
stratum <- sample(1:2, n, replace = TRUE)
Xs <- cbind(x = x, arma = as.numeric(arm == "a"), armc = as.numeric(arm == "c"))
syn <- data.frame(time = st, ev = factor(ss, 0:3, c("censor", "one", "two", "three")), x = x,
                  arm = relevel(factor(arm), "b"))
gray <- cuminc(st, ss, arm, stratum)$Tests
gray_rho1 <- cuminc(st, ss, arm, stratum, rho = 1)$Tests
synthetic <- list(
  time = st, status = ss, arm = arm, x = x, strata = stratum,
  aj = aj(st, ss, 0:3, c(3, 10, 25, 1000)),
  gray = list(stat = unname(gray[, "stat"]), pv = unname(gray[, "pv"]),
              df = unname(gray[, "df"])),
  gray_rho1 = list(stat = unname(gray_rho1[, "stat"]), pv = unname(gray_rho1[, "pv"])),
  crr1 = crr_fit(st, ss, Xs, 1), crr2 = crr_fit(st, ss, Xs, 2),
  finegray1 = fg_fit(syn, "x + arm", "one"),
  cs1 = cs_fit(st, ss, syn, "x + arm", 1),
  cs3_events = sum(ss == 3)
)

out <- list(
  r_version = R.version.string,
  cmprsk_version = as.character(packageVersion("cmprsk")),
  survival_version = as.character(packageVersion("survival")),
  mgus2 = mgus2,
  synthetic = synthetic
)
jsonlite::write_json(out, "tests/reference/competing_risks.json", digits = NA, auto_unbox = TRUE)
