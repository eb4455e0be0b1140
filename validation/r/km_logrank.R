# Reference values for hccsurv.core: Kaplan-Meier (every conf.type), summary at times,
# quantiles with CI, Nelson-Aalen, reverse-KM median follow-up, survdiff (rho 0/1, strata),
# the trend test, RMST (print(fit, rmean = tau) and the survRM2 rmst1/rmst2 formulas written
# out below, survRM2 not being installed) and the landmark difference.
#
# Reference mode (from the repository root):
#   Rscript validation/r/km_logrank.R            -> tests/reference/km_logrank.json
# Live mode (used by tests/core/test_r_live_km.py):
#   Rscript validation/r/km_logrank.R data.csv spec.json out.json
#   data.csv has columns time, status (0/1), group; spec.json has times, probs, tau.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

conf_types <- c("log", "log-log", "plain", "logit", "arcsin", "none")

curve_values <- function(f) {
  list(time = f$time, n_risk = f$n.risk, n_event = f$n.event, n_censor = f$n.censor,
       surv = f$surv, std_err = f$std.err, lower = f$lower, upper = f$upper,
       cumhaz = f$cumhaz, std_chaz = f$std.chaz)
}

summary_values <- function(f, times) {
  s <- summary(f, times = times, extend = TRUE)
  list(time = s$time, n_risk = s$n.risk, n_event = s$n.event, n_censor = s$n.censor,
       surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper)
}

quantile_values <- function(f, probs) {
  q <- quantile(f, probs = probs)
  if (is.list(q)) {
    list(prob = probs, time = unname(q$quantile), lower = unname(q$lower),
         upper = unname(q$upper))
  } else {
    list(prob = probs, time = unname(q))
  }
}

# survRM2::rmst1 written out: area under the KM curve up to tau and its variance
rmst1 <- function(time, status, tau, alpha = 0.05) {
  ft <- survfit(Surv(time, status) ~ 1)
  idx <- ft$time <= tau
  wk_time <- sort(c(ft$time[idx], tau))
  wk_surv <- ft$surv[idx]
  wk_n_risk <- ft$n.risk[idx]
  wk_n_event <- ft$n.event[idx]
  areas <- diff(c(0, wk_time)) * c(1, wk_surv)
  est <- sum(areas)
  wk_var <- ifelse((wk_n_risk - wk_n_event) == 0, 0,
                   wk_n_event / (wk_n_risk * (wk_n_risk - wk_n_event)))
  wk_var <- c(wk_var, 0)
  v <- sum(cumsum(rev(areas[-1]))^2 * rev(wk_var)[-1])
  se <- sqrt(v)
  z <- qnorm(1 - alpha / 2)
  list(estimate = est, se = se, lower = est - z * se, upper = est + z * se)
}

# survRM2::rmst2 unadjusted contrasts: arm 2 minus / over arm 1 (first level = reference)
rmst2 <- function(r1, r2, alpha = 0.05) {
  z <- qnorm(1 - alpha / 2)
  d <- r2$estimate - r1$estimate
  dse <- sqrt(r1$se^2 + r2$se^2)
  lr <- log(r2$estimate / r1$estimate)
  lse <- sqrt(r1$se^2 / r1$estimate^2 + r2$se^2 / r2$estimate^2)
  list(difference = d, difference_se = dse, difference_lower = d - z * dse,
       difference_upper = d + z * dse, difference_p = 2 * pnorm(-abs(d) / dse),
       ratio = exp(lr), ratio_log_se = lse, ratio_lower = exp(lr - z * lse),
       ratio_upper = exp(lr + z * lse), ratio_p = 2 * pnorm(-abs(lr) / lse))
}

one_curve <- function(time, status, w, spec) {
  fits <- lapply(conf_types, function(ct) {
    survfit(Surv(time, status) ~ 1, weights = w, conf.type = ct)
  })
  names(fits) <- conf_types
  tab <- summary(fits[["log"]], rmean = spec$tau)$table
  rev_fit <- survfit(Surv(time, 1 - status) ~ 1)
  rq <- quantile(rev_fit, 0.5)
  list(
    curve = curve_values(fits[["log"]]),
    ci = lapply(fits[conf_types != "none"], function(f) list(lower = f$lower, upper = f$upper)),
    at = lapply(fits, summary_values, times = spec$times),
    quantiles = lapply(fits, quantile_values, probs = spec$probs),
    rmean = unname(tab["rmean"]), rmean_se = unname(tab["se(rmean)"]),
    followup = list(median = unname(rq$quantile), lower = unname(rq$lower),
                    upper = unname(rq$upper))
  )
}

run_case <- function(d, spec) {
  w <- if ("weights" %in% names(d)) d$weights else rep(1, nrow(d))
  out <- list(time = d$time, status = d$status, spec = spec)
  if ("weights" %in% names(d)) out$weights <- d$weights
  out$overall <- one_curve(d$time, d$status, w, spec)
  if (!is.null(spec$tau) && is.null(d$weights)) {
    out$overall$rmst <- rmst1(d$time, d$status, spec$tau)
  }
  if ("group" %in% names(d)) {
    g <- factor(as.character(d$group))
    out$group <- as.character(d$group)
    out$labels <- levels(g)
    out$groups <- lapply(levels(g), function(l) {
      k <- g == l
      res <- one_curve(d$time[k], d$status[k], w[k], spec)
      if (!is.null(spec$tau) && is.null(d$weights)) {
        res$rmst <- rmst1(d$time[k], d$status[k], spec$tau)
      }
      res
    })
    names(out$groups) <- levels(g)
    if (is.null(d$weights) && nlevels(g) > 1) {
      sd <- list()
      for (rho in c(0, 1)) {
        x <- survdiff(Surv(d$time, d$status) ~ g, rho = rho)
        sd[[paste0("rho", rho)]] <- list(
          n = as.vector(x$n), observed = as.vector(x$obs), expected = as.vector(x$exp),
          variance = x$var, chisq = x$chisq, df = sum(x$exp > 0) - 1,
          p = pchisq(x$chisq, sum(x$exp > 0) - 1, lower.tail = FALSE))
      }
      if ("strata" %in% names(d)) {
        out$strata <- as.character(d$strata)
        s <- factor(as.character(d$strata))
        for (rho in c(0, 1)) {
          x <- survdiff(Surv(d$time, d$status) ~ g + strata(s), rho = rho)
          sd[[paste0("strata_rho", rho)]] <- list(
            n = as.vector(x$n), observed = rowSums(x$obs), expected = rowSums(x$exp),
            variance = x$var, chisq = x$chisq, df = sum(rowSums(x$exp) > 0) - 1,
            p = pchisq(x$chisq, sum(rowSums(x$exp) > 0) - 1, lower.tail = FALSE))
        }
      }
      out$survdiff <- sd
      if (nlevels(g) > 2) {
        # chi-square for trend, scores 1..k, from the survdiff O, E and V
        x <- survdiff(Surv(d$time, d$status) ~ g)
        sc <- seq_len(nlevels(g))
        u <- sum(sc * (x$obs - x$exp))
        v <- as.numeric(t(sc) %*% x$var %*% sc)
        out$trend <- list(scores = sc, statistic = u, variance = v, chisq = u^2 / v,
                          p = pchisq(u^2 / v, 1, lower.tail = FALSE))
      }
      if (nlevels(g) == 2 && !is.null(spec$tau)) {
        out$rmst_compare <- rmst2(out$groups[[1]]$rmst, out$groups[[2]]$rmst)
      }
      if (nlevels(g) == 2 && !is.null(spec$landmark)) {
        s1 <- summary(survfit(Surv(d$time, d$status) ~ 1, subset = g == levels(g)[1]),
                      times = spec$landmark, extend = TRUE)
        s2 <- summary(survfit(Surv(d$time, d$status) ~ 1, subset = g == levels(g)[2]),
                      times = spec$landmark, extend = TRUE)
        dif <- s2$surv - s1$surv
        se <- sqrt(s1$std.err^2 + s2$std.err^2)
        out$landmark <- list(surv = c(s1$surv, s2$surv), std_err = c(s1$std.err, s2$std.err),
                             difference = dif, se = se, lower = dif - qnorm(0.975) * se,
                             upper = dif + qnorm(0.975) * se, z = dif / se,
                             p = 2 * pnorm(-abs(dif / se)))
      }
    }
  }
  out
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 3) {
  d <- read.csv(args[1])
  spec <- read_json(args[2], simplifyVector = TRUE)
  write_json(run_case(d, spec), args[3], digits = NA, auto_unbox = TRUE, na = "string")
  quit(save = "no")
}

data_dir <- file.path("tests", "reference", "data")
rd <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")))
probs <- c(0.25, 0.5, 0.75)
cases <- list()

lung <- rd("lung")
cases$lung_sex <- run_case(
  data.frame(time = lung$time, status = lung$status - 1, group = lung$sex),
  list(times = c(0, 5, 100, 182.5, 365.25, 500, 730.5, 1000, 1022, 1100), probs = probs,
       tau = 730.5, landmark = 365.25))
lung_ecog <- lung[!is.na(lung$ph.ecog), ]
cases$lung_sex_strata <- run_case(
  data.frame(time = lung_ecog$time, status = lung_ecog$status - 1, group = lung_ecog$sex,
             strata = lung_ecog$ph.ecog),
  list(times = c(100, 365.25, 730.5), probs = probs, tau = 700))
set.seed(20240601)
cases$lung_weights <- run_case(
  data.frame(time = lung$time, status = lung$status - 1, group = lung$sex,
             weights = sample(1:3, nrow(lung), replace = TRUE)),
  list(times = c(0, 100, 365.25, 730.5, 1100), probs = probs))

vet <- rd("veteran")
cases$veteran_celltype <- run_case(
  data.frame(time = vet$time, status = vet$status, group = vet$celltype),
  list(times = c(1, 30, 90, 180, 365, 1000), probs = probs, tau = 200))
cases$veteran_trt <- run_case(
  data.frame(time = vet$time, status = vet$status, group = vet$trt),
  list(times = c(1, 30, 90, 180, 365, 1000), probs = probs, tau = 500, landmark = 90))

ova <- rd("ovarian")
cases$ovarian_rx <- run_case(
  data.frame(time = ova$futime, status = ova$fustat, group = ova$rx),
  list(times = c(50, 365, 730, 1000, 1300), probs = probs, tau = 700, landmark = 365))

colon <- rd("colon")
colon <- colon[colon$etype == 2, ]
cases$colon_rx <- run_case(
  data.frame(time = colon$time, status = colon$status, group = colon$rx),
  list(times = c(365, 1000, 1826, 3000), probs = probs, tau = 1826))

# heavy ties: integer months, 3 groups, 2 strata
set.seed(42)
n <- 300
grp <- sample(c("A", "B", "C"), n, replace = TRUE)
rate <- c(A = 0.05, B = 0.08, C = 0.12)[grp]
ev <- ceiling(rexp(n, rate))
ce <- sample(6:30, n, replace = TRUE)
cases$ties_months <- run_case(
  data.frame(time = pmin(ev, ce), status = as.integer(ev <= ce), group = grp,
             strata = sample(c("x", "y"), n, replace = TRUE)),
  list(times = c(0, 1, 2.5, 6, 12, 24, 40), probs = probs, tau = 6))

# a group without events (C) next to two with events
set.seed(7)
cases$group_no_events <- run_case(
  data.frame(time = c(rexp(20, 0.1), rexp(20, 0.05), rexp(10, 0.05)),
             status = c(rbinom(40, 1, 0.7), rep(0, 10)),
             group = rep(c("A", "B", "C"), c(20, 20, 10))),
  list(times = c(1, 5, 10), probs = probs))

# S is exactly 0.5 on a flat step (median = midpoint), S reaches 0 at the last time
cases$flat_half <- run_case(
  data.frame(time = c(1, 2, 3, 4, 5, 6), status = c(1, 1, 1, 0, 1, 1)),
  list(times = c(0.5, 3, 4.5, 6, 7), probs = probs, tau = 5))
cases$all_events <- run_case(
  data.frame(time = c(1, 2, 3, 4), status = c(1, 1, 1, 1)),
  list(times = c(0, 2, 5), probs = probs, tau = 4))

# median not reached
set.seed(3)
cases$median_not_reached <- run_case(
  data.frame(time = round(runif(40, 1, 100)), status = rbinom(40, 1, 0.25)),
  list(times = c(10, 50, 99), probs = probs, tau = 60))

# all censored
cases$all_censored <- run_case(
  data.frame(time = c(3, 5, 5, 8, 13), status = c(0, 0, 0, 0, 0)),
  list(times = c(1, 5, 20), probs = probs))

# near-tied times (timefix = TRUE merges t and t + 1e-11); written with 15 significant digits,
# so the gap survives the JSON round trip
set.seed(11)
cases$near_ties <- run_case(
  data.frame(time = c((1:20) / 10, (1:20) / 10 + 1e-11), status = rbinom(40, 1, 0.6),
             group = rep(c("u", "v"), 20)),
  list(times = c(0.3, 0.7, 1.5), probs = probs, tau = 1.5))

meta <- list(r_version = as.character(getRversion()),
             survival_version = as.character(packageVersion("survival")))
write_json(list(meta = meta, cases = cases), file.path("tests", "reference", "km_logrank.json"),
           digits = NA, auto_unbox = TRUE, na = "string")
cat("wrote tests/reference/km_logrank.json\n")
