# R reference for the demo study's competing-risks endpoint TTP (time to progression, death
# without progression competing), computed with R's own functions on the analysis data set
# hccsurv derived (validation/export_demo.py -> tests/reference/data/demo_derived.csv: TTP_time,
# TTP_cause 0 = censored, 1 = progression, 2 = death without progression).
#
# Run from the repository root:
#   Rscript validation/r/demo_competing.R [input.csv] [output.json]
# Defaults: tests/reference/data/demo_derived.csv -> tests/reference/demo_competing.json
# R 4.2.2, survival 3.5-3, cmprsk 2.2-11, jsonlite. The choices mirror hccsurv's study step
# "competing": the CIF at the 12-month landmark from survfit's multi-state fit (log limits) and
# from cuminc (its estimate and variance), Gray's test per cause (cuminc, rho = 0), Fine-Gray
# (crr) of progression per [cox] candidate, selection by the term's Wald test at p < 0.1 with
# crr's variance, the multivariable crr of the selected candidates, and cause-specific coxph
# (Efron) of each cause on the same covariates.
suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
inp <- if (length(args) >= 1) args[1] else file.path("tests", "reference", "data", "demo_derived.csv")
out <- if (length(args) >= 2) args[2] else file.path("tests", "reference", "demo_competing.json")

d <- read.csv(inp, fileEncoding = "UTF-8", stringsAsFactors = FALSE, check.names = FALSE,
              colClasses = c(ecog_0 = "character", albi_grade = "character"))
d$group <- factor(d$group, levels = c("First-line", "Post-ate-beva"))
candidates <- c("group", "age", "sex", "etiology", "bclc_c", "child_pugh_class", "ecog_0",
                "afp_ge_400", "tumor_gt_10cm", "multiple_tumors", "portal_vein_invasion",
                "extrahepatic_metastasis")
references <- list(group = "First-line", sex = "Male", etiology = "HBV", bclc_c = "0-B",
                   child_pugh_class = "B", ecog_0 = "\u22651", afp_ge_400 = "<400",
                   tumor_gt_10cm = "\u226410 cm", multiple_tumors = "Single",
                   portal_vein_invasion = "No", extrahepatic_metastasis = "No")
for (v in names(references)) d[[v]] <- relevel(factor(d[[v]]), ref = references[[v]])
d <- d[!is.na(d$TTP_time) & !is.na(d$TTP_cause), ]

# Cumulative incidence at 12 months and Gray's test -------------------------------------------
ci <- cuminc(d$TTP_time, d$TTP_cause, d$group, cencode = 0)
tp <- timepoints(ci, 12)
ms <- survfit(Surv(TTP_time, factor(TTP_cause, 0:2)) ~ group, data = d)
s <- summary(ms, times = 12, extend = TRUE)
cif <- list()
for (g in levels(d$group)) {
  row <- which(s$strata == paste0("group=", g))
  for (k in 1:2) {
    col <- which(s$states == as.character(k))
    cif[[paste(g, k)]] <- list(
      group = g, cause = k,
      estimate = s$pstate[row, col], lower = s$lower[row, col], upper = s$upper[row, col],
      cuminc_estimate = unname(tp$est[paste(g, k), 1]),
      cuminc_variance = unname(tp$var[paste(g, k), 1]))
  }
}
gray <- list(statistic = unname(ci$Tests[, "stat"]), p = unname(ci$Tests[, "pv"]),
             df = unname(ci$Tests[, "df"]))

# Fine-Gray screening and cause-specific Cox ---------------------------------------------------
design <- function(vars) {
  ok <- complete.cases(d[, vars, drop = FALSE])
  dd <- d[ok, ]
  x <- model.matrix(as.formula(paste("~", paste(vars, collapse = " + "))), dd)[, -1, drop = FALSE]
  list(data = dd, x = x)
}
fg <- function(vars) {
  m <- design(vars)
  fit <- crr(m$data$TTP_time, m$data$TTP_cause, m$x, failcode = 1, cencode = 0)
  se <- sqrt(diag(fit$var))
  list(names = colnames(m$x), coef = unname(fit$coef), se = unname(se),
       p = unname(2 * pnorm(-abs(fit$coef / se))), var = fit$var)
}
univariate <- list()
selected <- c()
for (v in candidates) {
  f <- fg(v)
  chisq <- drop(t(f$coef) %*% solve(f$var, f$coef))
  f$term_p <- pchisq(chisq, length(f$coef), lower.tail = FALSE)
  f$var <- NULL
  univariate[[v]] <- f
  if (f$term_p < 0.1) selected <- c(selected, v)
}
multi <- fg(selected)
multi$var <- NULL
cause_specific <- list()
m <- design(selected)
for (k in 1:2) {
  fit <- coxph(as.formula(paste("Surv(TTP_time, TTP_cause ==", k, ") ~",
                                paste(selected, collapse = " + "))), data = m$data)
  sm <- summary(fit)$coefficients
  cause_specific[[k]] <- list(names = rownames(sm), coef = unname(sm[, "coef"]),
                              se = unname(sm[, "se(coef)"]), p = unname(sm[, "Pr(>|z|)"]))
}

write_json(list(n = nrow(d), events = unname(as.list(table(factor(d$TTP_cause, 1:2)))),
                cif_12 = unname(cif), gray = gray, univariate = univariate,
                selected = selected, multivariable = multi, cause_specific = cause_specific,
                versions = list(R = format(getRversion()),
                                survival = format(packageVersion("survival")),
                                cmprsk = format(packageVersion("cmprsk")))),
           out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
cat("wrote", out, "\n")
