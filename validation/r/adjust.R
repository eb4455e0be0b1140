# Reference values for hccsurv's propensity-score adjustment (analysis/adjust/*).
# Run from the repository root:
#   Rscript validation/r/adjust.R                   # writes tests/reference/data/adjust_cohort.csv
#                                                   # and tests/reference/adjust.json
#   Rscript validation/r/adjust.R <in.csv> <out.json>   # same computations on another cohort
#                                                        # (the live parity test)
# R 4.2.2, survival 3.5-3, MatchIt 4.5.1. WeightIt and cobalt are not used: the weights and the
# balance statistics are written out below with the formulas of WeightIt 0.14 and cobalt 4.5
# (cobalt: binary = "std", continuous = "std"; SD denominators from the unadjusted sample).
suppressPackageStartupMessages({
  library(survival)
  library(MatchIt)
  library(jsonlite)
})
stopifnot(packageVersion("MatchIt") == "4.5.1")

args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 2) {
  d <- read.csv(args[1], stringsAsFactors = FALSE)
  out_path <- args[2]
} else {
  # The committed synthetic cohort: confounded allocation to "Post-ate-beva" (treated).
  set.seed(20240101)
  n <- 240
  age <- round(rnorm(n, 64, 11), 1)
  sex <- ifelse(runif(n) < 0.8, "Male", "Female")
  etiology <- sample(c("HBV", "HCV", "Alcohol", "Other"), n, TRUE, c(0.5, 0.2, 0.2, 0.1))
  child_pugh <- ifelse(runif(n) < 0.7, "A", "B")
  log_afp <- round(rnorm(n, 5, 2), 3)
  tumor_gt_10cm <- as.integer(runif(n) < 0.3)
  lp <- -0.9 - 0.03 * (age - 64) + 0.5 * (sex == "Female") - 0.6 * (child_pugh == "B") +
    0.15 * (log_afp - 5) + 0.4 * tumor_gt_10cm + 0.3 * (etiology == "HCV")
  treated <- runif(n) < plogis(lp)
  rate <- 0.08 * exp(-0.5 * treated + 0.5 * (child_pugh == "B") + 0.1 * (log_afp - 5) +
    0.4 * tumor_gt_10cm)
  t_event <- rexp(n, rate)
  t_cens <- runif(n, 3, 36)
  d <- data.frame(
    patient_id = sprintf("P%03d", seq_len(n)),
    group = ifelse(treated, "Post-ate-beva", "First-line"),
    age = age, sex = sex, etiology = etiology, child_pugh = child_pugh, log_afp = log_afp,
    tumor_gt_10cm = tumor_gt_10cm,
    time = round(pmin(t_event, t_cens), 4),
    event = as.integer(t_event <= t_cens),
    stringsAsFactors = FALSE
  )
  write.csv(d, file.path("tests", "reference", "data", "adjust_cohort.csv"), row.names = FALSE)
  out_path <- file.path("tests", "reference", "adjust.json")
}

d$treat <- as.integer(d$group == "Post-ate-beva")
d$id <- seq_len(nrow(d))
covs <- c("age", "sex", "etiology", "child_pugh", "log_afp", "tumor_gt_10cm")
ps_formula <- reformulate(covs, response = "treat")

# Propensity model: logistic regression, treatment contrasts with alphabetical reference levels.
ps_fit <- glm(ps_formula, data = d, family = binomial())
ps <- unname(fitted(ps_fit))
lin <- unname(predict(ps_fit, type = "link"))

d$lps <- lin

# Nearest-neighbour matching on the logit of the PS (distance = "glm", link = "linear.logit").
# MatchIt 4.5.1's fast matcher (src/nn_matchC_vec.cpp, used when distance is a PS and mahvars is
# NULL) calls the integer abs() on double differences on Linux builds (MatchIt issue #163, fixed
# in 4.5.4 with std::abs): every |difference| < 1 counts as 0, so calipers below 1 are ignored
# and the lower-distance neighbour is always preferred. mahvars = ~lps routes the same call
# through MatchIt's general matcher (src/nn_matchC.cpp, Rcpp::abs on doubles), whose Mahalanobis
# distance on the single variable lps is |lps_i - lps_j| / sd: the same nearest control, order
# (m.order on the PS distance), caliper (std.caliper on sd(distance)), ratio rounds and weights.
match_case <- function(name, ...) {
  m <- matchit(ps_formula, data = d, method = "nearest", distance = "glm",
               link = "linear.logit", mahvars = ~lps, ...)
  mm <- matrix(match(m$match.matrix, rownames(d)), nrow = nrow(m$match.matrix))
  mm[is.na(mm)] <- -1L
  subclass <- if (is.null(m$subclass)) rep(-1L, nrow(d)) else as.integer(m$subclass)
  subclass[is.na(subclass)] <- -1L
  md <- d
  md$weights <- m$weights
  md <- md[md$weights > 0, ]
  if (!is.null(m$subclass)) {
    md$subclass <- m$subclass[md$id]
    cox <- coxph(Surv(time, event) ~ treat, data = md, weights = weights, cluster = subclass)
    rm <- rmst_ij(md$time, md$event, md$treat, md$weights, as.integer(md$subclass))
  } else {
    cox <- coxph(Surv(time, event) ~ treat, data = md, weights = weights, cluster = id)
    rm <- rmst_ij(md$time, md$event, md$treat, md$weights, md$id)
  }
  km <- survfit(Surv(time, event) ~ treat, data = md, weights = weights)
  list(
    name = name,
    distance = unname(m$distance),
    caliper = if (is.null(m$caliper)) NULL else unname(m$caliper),
    treated_rows = match(rownames(m$match.matrix), rownames(d)),
    match_matrix = mm,
    subclass = subclass,
    weights = unname(m$weights),
    cox = cox_summary(cox),
    median = unname(summary(km)$table[, "median"]),
    rmst = rm
  )
}

# Weighted RMST per group up to tau (default: the smaller of the groups' largest times) with the
# infinitesimal-jackknife influence of survfit(influence = TRUE), summed within clusters; the
# difference (treated - control) sums the signed influences within clusters.
rmst_ij <- function(time, event, treat, w, cluster, tau = NULL) {
  if (is.null(tau)) tau <- min(max(time[treat == 1]), max(time[treat == 0]))
  res <- list(tau = tau)
  D <- numeric(length(time))
  for (g in c(0, 1)) {
    s <- treat == g
    fit <- survfit(Surv(time[s], event[s]) ~ 1, weights = w[s], influence = TRUE)
    tt <- fit$time
    keep <- tt < tau
    dt <- diff(c(tt[keep], tau))
    res[[paste0("rmst", g)]] <- tt[keep][1] + sum(fit$surv[keep] * dt)
    Dg <- drop(fit$influence.surv[, keep, drop = FALSE] %*% dt)
    res[[paste0("se", g)]] <- sqrt(sum(rowsum(Dg, cluster[s])^2))
    D[s] <- if (g == 1) Dg else -Dg
  }
  res$difference <- res$rmst1 - res$rmst0
  res$difference_se <- sqrt(sum(rowsum(D, cluster)^2))
  res
}

cox_summary <- function(fit) {
  s <- summary(fit)
  list(
    coef = unname(coef(fit)),
    se = unname(sqrt(diag(fit$naive.var))),
    robust_se = unname(sqrt(diag(vcov(fit)))),
    z = unname(s$coefficients[, "z"]),
    p = unname(s$coefficients[, "Pr(>|z|)"]),
    hr_lower = unname(s$conf.int[, "lower .95"]),
    hr_upper = unname(s$conf.int[, "upper .95"]),
    robust_score = as.numeric(fit$rscore)
  )
}

matching <- list(
  match_case("nearest_caliper", caliper = 0.2),
  match_case("nearest_smallest", m.order = "smallest"),
  match_case("nearest_data_caliper", m.order = "data", caliper = 0.1),
  match_case("ratio2_caliper", ratio = 2, caliper = 0.2),
  match_case("ratio3", ratio = 3),
  match_case("replace_caliper", replace = TRUE, caliper = 0.2),
  match_case("replace_ratio2", replace = TRUE, ratio = 2),
  match_case("exact_sex_caliper", exact = ~sex, caliper = 0.2),
  match_case("tight_caliper", caliper = 0.02)
)

# Weights (WeightIt 0.14 formulas): ATE 1/ps, 1/(1-ps); ATT 1, ps/(1-ps); stabilized ATE
# multiplies by the marginal probability of the unit's own group; overlap 1-ps, ps.
p1 <- mean(d$treat)
tr <- d$treat == 1
wts <- list(
  ate = ifelse(tr, 1 / ps, 1 / (1 - ps)),
  att = ifelse(tr, 1, ps / (1 - ps)),
  stabilized = ifelse(tr, p1 / ps, (1 - p1) / (1 - ps)),
  overlap = ifelse(tr, 1 - ps, ps)
)

# cobalt's weighted statistics: mean sum(w x)/sum(w); variance of a binary variable p(1-p),
# else sum(w (x - m)^2) * sum(w) / (sum(w)^2 - sum(w^2)).
w_mean <- function(x, w) sum(w * x) / sum(w)
w_var <- function(x, w) {
  m <- w_mean(x, w)
  if (all(x %in% c(0, 1))) return(m * (1 - m))
  sum(w * (x - m)^2) * sum(w) / (sum(w)^2 - sum(w^2))
}
X <- model.matrix(ps_formula, data = d)[, -1, drop = FALSE]
balance <- function(w, denom) {
  smd <- vr <- numeric(ncol(X))
  for (j in seq_len(ncol(X))) {
    x <- X[, j]
    s1 <- w_var(x[tr], rep(1, sum(tr)))
    s0 <- w_var(x[!tr], rep(1, sum(!tr)))
    sd <- if (denom == "treated") sqrt(s1) else sqrt((s1 + s0) / 2)
    keep1 <- tr & w > 0
    keep0 <- !tr & w > 0
    smd[j] <- (w_mean(x[keep1], w[keep1]) - w_mean(x[keep0], w[keep0])) / sd
    vr[j] <- if (all(x %in% c(0, 1))) NA else w_var(x[keep1], w[keep1]) / w_var(x[keep0], w[keep0])
  }
  list(names = colnames(X), smd = smd, variance_ratio = vr)
}

ess <- function(w) sum(w)^2 / sum(w^2)
dr_formula <- reformulate(c("treat", covs), response = "Surv(time, event)")
weighting <- lapply(names(wts), function(nm) {
  w <- wts[[nm]]
  dd <- d
  dd$w <- w
  fit <- coxph(Surv(time, event) ~ treat, data = dd, weights = w, robust = TRUE)
  dr <- coxph(dr_formula, data = dd, weights = w, robust = TRUE)
  km <- survfit(Surv(time, event) ~ treat, data = dd, weights = w)
  list(
    name = nm,
    weights = unname(w),
    ess_treated = ess(w[tr]),
    ess_control = ess(w[!tr]),
    cox = cox_summary(fit),
    cox_dr = cox_summary(dr),
    median = unname(summary(km)$table[, "median"]),
    rmst = rmst_ij(d$time, d$event, d$treat, w, d$id),
    balance = balance(w, if (nm == "att") "treated" else "pooled")
  )
})
names(weighting) <- names(wts)

out <- list(
  n = nrow(d),
  covariates = covs,
  ps = list(
    coef_names = names(coef(ps_fit)),
    coef = unname(coef(ps_fit)),
    se = unname(sqrt(diag(vcov(ps_fit)))),
    ps = ps,
    linear = lin
  ),
  balance_unadjusted = list(
    pooled = balance(rep(1, nrow(d)), "pooled"),
    treated = balance(rep(1, nrow(d)), "treated")
  ),
  balance_matched = balance(matching[[1]]$weights, "treated"),
  matching = matching,
  weighting = weighting
)
write_json(out, out_path, digits = NA, auto_unbox = TRUE)
