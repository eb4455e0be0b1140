# Reference values for hccsurv.analysis.pairwise and hccsurv.analysis.subgroup.
#
# survminer is not installed: survminer::pairwise_survdiff is reproduced below as its source does
# it (survdiff on the rows of each pair of groups, p = pchisq(chisq, 1, lower = FALSE), pairs in
# pairwise.table's lower-triangle order, then p.adjust). Pairwise Cox contrasts come from one
# coxph fit: log HR(b:a) = b_b - b_a, var = V_aa + V_bb - 2 V_ab (multcomp's Tukey contrasts,
# multcomp not being installed). Subgroup interaction p-values: anova(fit0, fit1) of nested coxph.
#
# Reference mode (from the repository root):
#   Rscript validation/r/pairwise_subgroup.R          -> tests/reference/pairwise_subgroup.json
# Live mode (tests/analysis/test_r_live_pairwise_subgroup.py):
#   Rscript validation/r/pairwise_subgroup.R data.csv out.json
#   data.csv has time, status (0/1), group (3+ levels), trt (2 levels), sub (factor), x, s.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

pairwise_survdiff <- function(d, group, rho = 0, strata = NULL, method = "holm") {
  g <- factor(d[[group]])
  lev <- levels(g)
  out <- list(group1 = c(), group2 = c(), chisq = c(), p = c())
  for (j in seq_len(length(lev) - 1)) {
    for (i in (j + 1):length(lev)) {
      s <- d[g %in% lev[c(j, i)], ]
      s$g <- factor(s[[group]])
      f <- if (is.null(strata)) Surv(time, status) ~ g else
        as.formula(paste("Surv(time, status) ~ g + strata(", strata, ")"))
      x <- survdiff(f, data = s, rho = rho)
      out$group1 <- c(out$group1, lev[j])
      out$group2 <- c(out$group2, lev[i])
      out$chisq <- c(out$chisq, x$chisq)
      out$p <- c(out$p, pchisq(x$chisq, length(x$n) - 1, lower.tail = FALSE))
    }
  }
  out$p_adjusted <- p.adjust(out$p, method)
  out
}

pairwise_cox <- function(d, group, rhs = "", method = "holm") {
  d$g <- factor(d[[group]])
  lev <- levels(d$g)
  fit <- coxph(as.formula(paste("Surv(time, status) ~ g", rhs)), data = d)
  b <- c(0, coef(fit)[paste0("g", lev[-1])])
  v <- matrix(0, length(lev), length(lev))
  v[-1, -1] <- vcov(fit)[paste0("g", lev[-1]), paste0("g", lev[-1])]
  out <- list(coef = c(), se = c(), p = c())
  for (j in seq_len(length(lev) - 1)) {
    for (i in (j + 1):length(lev)) {
      est <- b[i] - b[j]
      se <- sqrt(v[i, i] + v[j, j] - 2 * v[i, j])
      out$coef <- c(out$coef, unname(est))
      out$se <- c(out$se, se)
      out$p <- c(out$p, unname(2 * pnorm(-abs(est / se))))
    }
  }
  out$p_adjusted <- p.adjust(out$p, method)
  out
}

# treatment HR per level and the anova() interaction test; rhs adds covariates / strata
subgroups <- function(d, trt, sub, covs = character(0), strata = NULL) {
  d[[trt]] <- factor(d[[trt]])
  extra <- paste(c(covs, if (!is.null(strata)) paste0("strata(", strata, ")")), collapse = " + ")
  plus <- if (nchar(extra)) paste("+", extra) else ""
  lev <- sort(unique(d[[sub]]))
  levels_out <- list(level = c(), hr = c(), lower = c(), upper = c(), p = c())
  for (l in lev) {
    s <- d[!is.na(d[[sub]]) & d[[sub]] == l, ]
    f <- try(coxph(as.formula(paste("Surv(time, status) ~", trt, plus)), data = s), silent = TRUE)
    ok <- !inherits(f, "try-error") && length(unique(s[[trt]][!is.na(s[[trt]])])) == 2 &&
      all(tapply(s$status, droplevels(s[[trt]]), sum) > 0)
    if (!ok) next
    cf <- summary(f)$conf.int[1, ]
    levels_out$level <- c(levels_out$level, as.character(l))
    levels_out$hr <- c(levels_out$hr, unname(cf[1]))
    levels_out$lower <- c(levels_out$lower, unname(cf[3]))
    levels_out$upper <- c(levels_out$upper, unname(cf[4]))
    levels_out$p <- c(levels_out$p, unname(summary(f)$coefficients[1, 5]))
  }
  cc <- d[complete.cases(d[, c("time", "status", trt, sub, covs, strata)]), ]
  cc$sub_f <- factor(cc[[sub]])
  f0 <- coxph(as.formula(paste("Surv(time, status) ~", trt, "+ sub_f", plus)), data = cc)
  f1 <- coxph(as.formula(paste("Surv(time, status) ~", trt, "* sub_f", plus)), data = cc)
  a <- anova(f0, f1)
  list(levels = levels_out, chisq = a$Chisq[2], df = a$Df[2], p = a[["Pr(>|Chi|)"]][2],
       loglik0 = f0$loglik[2], loglik1 = f1$loglik[2])
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 2) {
  d <- read.csv(args[1])
  out <- list(
    logrank = pairwise_survdiff(d, "group"),
    logrank_strata = pairwise_survdiff(d, "group", rho = 1, strata = "s"),
    cox = pairwise_cox(d, "group", "+ x + strata(s)"),
    subgroup = subgroups(d, "trt", "sub", covs = "x")
  )
  write_json(out, args[2], digits = NA, auto_unbox = TRUE)
} else {
  data_dir <- file.path("tests", "reference", "data")
  colon <- read.csv(file.path(data_dir, "colon.csv"))
  colon <- colon[colon$etype == 2, ]  # death
  veteran <- read.csv(file.path(data_dir, "veteran.csv"))
  lung <- read.csv(file.path(data_dir, "lung.csv"))
  lung$status <- lung$status - 1  # R's 1/2 coding -> 0/1
  ref <- list(
    colon_logrank = pairwise_survdiff(colon, "rx"),
    colon_logrank_bh = pairwise_survdiff(colon, "rx", method = "BH"),
    colon_logrank_rho1_strata = pairwise_survdiff(colon, "rx", rho = 1, strata = "sex"),
    veteran_logrank = pairwise_survdiff(veteran, "celltype"),
    veteran_logrank_bonferroni = pairwise_survdiff(veteran, "celltype", method = "bonferroni"),
    colon_cox = pairwise_cox(colon, "rx", "+ age + strata(sex)"),
    veteran_cox = pairwise_cox(veteran, "celltype", "+ karno"),
    lung_sex_ecog = subgroups(lung, "sex", "ph.ecog", covs = "age"),
    veteran_trt_celltype = subgroups(veteran, "trt", "celltype", strata = "prior"),
    veteran_trt_prior_strata = subgroups(veteran, "trt", "prior", strata = "prior"),
    colon_rx_obstruct = subgroups(colon[colon$rx != "Lev", ], "rx", "obstruct",
                                   covs = c("age", "nodes"))
  )
  ref$p_adjust <- list(p = c(0.01, 0.04, 0.03, 0.005, NA, 0.5, 0.04),
                       holm = p.adjust(c(0.01, 0.04, 0.03, 0.005, NA, 0.5, 0.04), "holm"),
                       BH = p.adjust(c(0.01, 0.04, 0.03, 0.005, NA, 0.5, 0.04), "BH"),
                       bonferroni = p.adjust(c(0.01, 0.04, 0.03, 0.005, NA, 0.5, 0.04),
                                             "bonferroni"))
  ref$versions <- list(R = as.character(getRversion()),
                       survival = as.character(packageVersion("survival")))
  write_json(ref, file.path("tests", "reference", "pairwise_subgroup.json"), digits = NA,
             auto_unbox = TRUE, pretty = TRUE)
}
