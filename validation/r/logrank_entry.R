# Reference values for delayed entry by group: kaplan_meier_groups(..., entry=) as survival's
# survfit(Surv(start, stop, event) ~ group), and logrank(..., entry=). survdiff refuses
# counting-process data ("Right censored data only"), so the log-rank O, E and V are written
# out below with survdiff's hypergeometric formula on the risk sets {i: start_i < t <= stop_i};
# on tie-free data the chi-square is also checked against the score test of
# coxph(Surv(start, stop, event) ~ group, ties = "breslow"), which then coincides.
#
#   Rscript validation/r/logrank_entry.R   -> tests/reference/logrank_entry.json
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

logrank_cp <- function(start, stop, event, group, strata) {
  lev <- sort(unique(group))
  k <- length(lev)
  o <- numeric(k); e <- numeric(k); v <- matrix(0, k, k)
  for (s in unique(strata)) {
    ins <- strata == s
    for (t in sort(unique(stop[ins & event == 1]))) {
      at_risk <- ins & start < t & stop >= t
      died <- at_risk & stop == t & event == 1
      n <- sum(at_risk); d <- sum(died)
      ng <- sapply(lev, function(g) sum(at_risk & group == g))
      o <- o + sapply(lev, function(g) sum(died & group == g))
      e <- e + d * ng / n
      if (n > 1) v <- v + d * (n - d) / (n * n * (n - 1)) * (diag(n * ng, k) - outer(ng, ng))
    }
  }
  dd <- (o - e)[-1]
  list(observed = o, expected = e, variance = v,
       chisq = drop(dd %*% solve(v[-1, -1, drop = FALSE], dd)))
}

curves <- function(start, stop, event, group) {
  f <- survfit(Surv(start, stop, event) ~ group)
  lab <- sub("^group=", "", names(f$strata))
  idx <- rep(seq_along(lab), f$strata)
  setNames(lapply(seq_along(lab), function(j) {
    w <- idx == j
    list(time = f$time[w], n_risk = f$n.risk[w], n_event = f$n.event[w], surv = f$surv[w],
         std_err = f$std.err[w], lower = f$lower[w], upper = f$upper[w])
  }), lab)
}

case <- function(start, stop, event, group, strata) {
  c(list(start = start, stop = stop, event = event, group = group, strata = strata,
         curves = curves(start, stop, event, group)),
    logrank_cp(start, stop, event, group, strata))
}

h <- heart
set.seed(20)
n <- 200
entry <- round(runif(n, 0, 100), 3)
stop <- entry + round(rexp(n, 1 / 200), 3) + 0.001
event <- as.integer(runif(n) < 0.7)
group <- sample(c("a", "b", "c"), n, replace = TRUE)
stratum <- sample(c("s1", "s2"), n, replace = TRUE)
stopifnot(!anyDuplicated(stop))
score <- coxph(Surv(entry, stop, event) ~ factor(group), ties = "breslow")$score

cases <- list(
  heart_transplant = case(h$start, h$stop, h$event, as.character(h$transplant), rep("all", nrow(h))),
  three_groups = c(case(entry, stop, event, group, rep("all", n)), list(coxph_score = score)),
  stratified = case(entry, stop, event, group, stratum)
)
meta <- list(r_version = R.version.string,
             survival = as.character(packageVersion("survival")))
write_json(list(meta = meta, cases = cases), file.path("tests", "reference", "logrank_entry.json"),
           digits = NA, auto_unbox = TRUE, na = "null")
