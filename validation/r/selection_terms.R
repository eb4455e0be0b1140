# Reference values for hccsurv.analysis.selection (forced covariates, "all candidates", the
# nested-model LR test) and hccsurv.analysis.terms (log, per k units, centring, interactions).
#
# Screening: one univariate coxph per candidate; term Wald p = pchisq(b' V^-1 b, df) (multi-df for
# a factor); the multivariable model holds the forced variables first, then the candidates that
# pass, in candidate order. LR test: anova(fit0, fit1).
#
# Reference mode (from the repository root):
#   Rscript validation/r/selection_terms.R          -> tests/reference/selection_terms.json
# Live mode (tests/analysis/test_r_live_selection_terms.py):
#   Rscript validation/r/selection_terms.R data.csv out.json
#   data.csv has time, status (0/1), trt (0/1), f (factor), x (> 0), z, w.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

term_p <- function(fit) {
  b <- coef(fit)
  v <- vcov(fit)
  unname(pchisq(drop(t(b) %*% solve(v, b)), length(b), lower.tail = FALSE))
}

select <- function(d, candidates, forced, threshold) {
  vars <- unique(c(forced, candidates))
  ps <- sapply(vars, function(v) term_p(coxph(as.formula(paste("Surv(time, status) ~", v)),
                                              data = d)))
  chosen <- vars[vars %in% forced | ps < threshold]
  fit <- coxph(as.formula(paste("Surv(time, status) ~", paste(chosen, collapse = " + "))),
               data = d)
  list(variables = vars, p = unname(ps), selected = chosen, coef = unname(coef(fit)),
       se = unname(sqrt(diag(vcov(fit)))), loglik = fit$loglik[2], n = fit$n)
}

model <- function(f, d) {
  fit <- coxph(f, data = d)
  ok <- !is.na(coef(fit))
  list(coef = unname(coef(fit)[ok]), se = unname(sqrt(diag(vcov(fit)))[ok]),
       loglik = fit$loglik[2], n = fit$n)
}

lr <- function(f0, f1, d) {
  a <- anova(coxph(f0, data = d), coxph(f1, data = d))
  list(chisq = a$Chisq[2], df = a$Df[2], p = a[["Pr(>|Chi|)"]][2])
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 2) {
  d <- read.csv(args[1])
  d$f <- factor(d$f)
  d$trt <- factor(d$trt)
  out <- list(
    select = select(d, c("f", "x", "z", "w"), "trt", 0.1),
    terms = model(Surv(time, status) ~ log(x) + I(z / 5) + I(w - mean(w, na.rm = TRUE)) +
                    trt * f + x:z, d),
    lr = lr(Surv(time, status) ~ trt + f, Surv(time, status) ~ trt * f, d)
  )
  write_json(out, args[2], digits = NA, auto_unbox = TRUE)
} else {
  data_dir <- file.path("tests", "reference", "data")
  veteran <- read.csv(file.path(data_dir, "veteran.csv"))
  veteran$trt <- factor(veteran$trt)
  lung <- read.csv(file.path(data_dir, "lung.csv"))
  lung$status <- lung$status - 1
  lung$ecog <- factor(lung$ph.ecog)
  cc <- lung[complete.cases(lung[, c("time", "status", "age", "sex")]), ]
  ref <- list(
    veteran_forced = select(veteran, c("celltype", "karno", "age", "diagtime", "prior"), "trt",
                            0.05),
    veteran_all = select(veteran, c("celltype", "karno", "age", "diagtime", "prior"), "trt", 1.01),
    lung_terms = model(Surv(time, status) ~ log(meal.cal) + I(age / 10) +
                         I(wt.loss - mean(wt.loss, na.rm = TRUE)) + ecog * sex + age:wt.loss,
                       lung),
    lung_centre_60 = model(Surv(time, status) ~ I(age - 60) + log10(meal.cal), lung),
    lung_lr = lr(Surv(time, status) ~ age + sex, Surv(time, status) ~ age * sex, cc),
    versions = list(R = as.character(getRversion()),
                    survival = as.character(packageVersion("survival")))
  )
  write_json(ref, file.path("tests", "reference", "selection_terms.json"), digits = NA,
             auto_unbox = TRUE, pretty = TRUE)
}
