# Reference values for the study's Cox model building with [cox] forced / selection / strata
# and the stratified log-rank test of an endpoint (hccsurv.analysis.study, issue 16 item 3).
#
# Univariate screening: coxph(Surv(time, status) ~ v + strata(s)) per candidate, term-level
# Wald p (multi-df for a factor); selected = forced first, then the candidates with p < threshold
# (or all candidates); the multivariable coxph on them; survdiff(... ~ group + strata(s)).
#
# Live mode (tests/analysis/test_r_live_study_models.py):
#   Rscript validation/r/study_models.R data.csv out.json
#   data.csv has time, status (0/1), group (A/B/C), x (numeric), cat (lo/mid/hi), s (stratum).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

build <- function(d, candidates, forced, threshold, strata) {
  plus <- if (is.null(strata)) "" else paste0(" + strata(", strata, ")")
  uni_p <- sapply(candidates, function(v) {
    f <- coxph(as.formula(paste("Surv(time, status) ~", v, plus)), data = d)
    b <- coef(f)
    w <- as.numeric(t(b) %*% solve(vcov(f)) %*% b)
    pchisq(w, length(b), lower.tail = FALSE)
  })
  passed <- if (is.null(threshold)) candidates else candidates[uni_p < threshold]
  selected <- unique(c(forced, passed))
  multi <- coxph(as.formula(paste("Surv(time, status) ~", paste(selected, collapse = " + "),
                                  plus)), data = d)
  lr <- survdiff(as.formula(paste("Surv(time, status) ~ group", plus)), data = d)
  list(uni_p = unname(uni_p), selected = selected, terms = names(coef(multi)),
       coef = unname(coef(multi)),
       se = unname(sqrt(diag(vcov(multi)))), loglik = multi$loglik[2],
       logrank_chisq = lr$chisq,
       logrank_p = pchisq(lr$chisq, length(lr$n) - 1, lower.tail = FALSE))
}

args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
d$group <- factor(d$group, levels = c("A", "B", "C"))
d$cat <- factor(d$cat, levels = c("lo", "mid", "hi"))
cand <- c("group", "x", "cat")
out <- list(
  screen = build(d, cand, "group", 0.1, "s"),
  all = build(d, cand, character(0), NULL, "s"),
  unstratified = build(d, cand, "group", 0.1, NULL)
)
write_json(out, args[2], digits = NA, auto_unbox = TRUE)
