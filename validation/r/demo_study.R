# R reference for the demo study: Table 1 tests, response tests, survival summaries, Cox model
# building and the propensity-matched Cox model, computed with R's own functions on the analysis
# data set hccsurv derived (validation/export_demo.py -> tests/reference/data/demo_derived.csv).
#
# Run from the repository root:
#   Rscript validation/r/demo_study.R [input.csv] [output.json]
# Defaults: tests/reference/data/demo_derived.csv -> tests/reference/demo_study.json
# R 4.2.2, survival 3.5-3, jsonlite. The choices mirror the demo config (study.toml):
# Fisher's exact test when any expected count < 5, else chisq.test(correct = FALSE); Student's
# t (var.equal = TRUE); wilcox.test defaults; survfit conf.type = "log"; coxph Efron; selection
# by the univariate Wald test of the term at p < 0.1.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
inp <- if (length(args) >= 1) args[1] else file.path("tests", "reference", "data", "demo_derived.csv")
out <- if (length(args) >= 2) args[2] else file.path("tests", "reference", "demo_study.json")

d <- read.csv(inp, fileEncoding = "UTF-8", stringsAsFactors = FALSE, check.names = FALSE,
              colClasses = c(ecog_0 = "character", albi_grade = "character"))
d$group <- factor(d$group, levels = c("First-line", "Post-ate-beva"))

choose_test <- function(tab) {
  tab <- tab[rowSums(tab) > 0, , drop = FALSE]
  expected <- outer(rowSums(tab), colSums(tab)) / sum(tab)
  if (any(expected < 5)) fisher.test(tab) else chisq.test(tab, correct = FALSE)
}
htest <- function(t) {
  list(method = t$method, p = t$p.value,
       statistic = if (is.null(t$statistic)) NA else unname(t$statistic))
}

# Table 1 ------------------------------------------------------------------------------------
categorical <- c("sex", "etiology", "bclc_stage", "child_pugh_class", "ecog_0", "afp_ge_400",
                 "tumor_gt_10cm", "multiple_tumors", "portal_vein_invasion",
                 "extrahepatic_metastasis", "albi_grade")
table1 <- list()
for (v in categorical) {
  ok <- !is.na(d[[v]]) & d[[v]] != ""
  table1[[v]] <- htest(choose_test(table(d[[v]][ok], d$group[ok])))
}
table1$age <- htest(t.test(age ~ group, data = d, var.equal = TRUE))
for (v in c("afp_ng_ml", "tumor_size_mm")) {
  table1[[v]] <- htest(suppressWarnings(wilcox.test(d[[v]] ~ d$group)))
}

# Response -------------------------------------------------------------------------------------
response <- list(
  orr = htest(choose_test(table(d$bor %in% c("CR", "PR"), d$group))),
  dcr = htest(choose_test(table(d$bor %in% c("CR", "PR", "SD"), d$group)))
)

# Survival -------------------------------------------------------------------------------------
curve_summary <- function(fit) {
  q <- quantile(fit, 0.5)
  s <- summary(fit, times = 12, extend = TRUE)
  tab <- summary(fit, rmean = 12)$table
  list(median = unname(q$quantile), lower = unname(q$lower), upper = unname(q$upper),
       surv12 = s$surv, surv12_lower = s$lower, surv12_upper = s$upper,
       rmean = unname(if (is.matrix(tab)) tab[, "rmean"] else tab["rmean"]),
       rmean_se = unname(if (is.matrix(tab)) tab[, "se(rmean)"] else tab["se(rmean)"]))
}
candidates <- c("group", "age", "sex", "etiology", "bclc_c", "child_pugh_class", "ecog_0",
                "afp_ge_400", "tumor_gt_10cm", "multiple_tumors", "portal_vein_invasion",
                "extrahepatic_metastasis")
references <- list(group = "First-line", sex = "Male", etiology = "HBV", bclc_c = "0-B",
                   child_pugh_class = "B", ecog_0 = "\u22651", afp_ge_400 = "<400",
                   tumor_gt_10cm = "\u226410 cm", multiple_tumors = "Single",
                   portal_vein_invasion = "No", extrahepatic_metastasis = "No")
for (v in names(references)) d[[v]] <- relevel(factor(d[[v]]), ref = references[[v]])

coefs <- function(fit) {
  s <- summary(fit)$coefficients
  list(names = rownames(s), coef = unname(s[, "coef"]), se = unname(s[, "se(coef)"]),
       p = unname(s[, "Pr(>|z|)"]))
}
endpoints <- list()
for (ep in c("OS", "PFS", "TTP")) {
  d$time <- d[[paste0(ep, "_time")]]
  d$event <- d[[paste0(ep, "_event")]]
  by_group <- survfit(Surv(time, event) ~ group, data = d)
  overall <- survfit(Surv(time, event) ~ 1, data = d)
  groups <- list()
  for (g in levels(d$group)) {
    groups[[g]] <- curve_summary(survfit(Surv(time, event) ~ 1, data = d[d$group == g, ]))
  }
  lr <- survdiff(Surv(time, event) ~ group, data = d)
  fu <- quantile(survfit(Surv(time, 1 - event) ~ 1, data = d), 0.5)
  univariate <- list()
  selected <- c()
  for (v in candidates) {
    fit <- coxph(as.formula(paste("Surv(time, event) ~", v)), data = d)
    univariate[[v]] <- c(coefs(fit), list(term_p = unname(summary(fit)$waldtest["pvalue"])))
    if (summary(fit)$waldtest["pvalue"] < 0.1) selected <- c(selected, v)
  }
  multi <- coxph(as.formula(paste("Surv(time, event) ~", paste(selected, collapse = " + "))),
                 data = d)
  zph <- cox.zph(multi)
  endpoints[[ep]] <- list(
    groups = groups,
    overall = curve_summary(overall),
    logrank = list(chisq = unname(lr$chisq), p = pchisq(lr$chisq, 1, lower.tail = FALSE)),
    followup = list(median = unname(fu$quantile), lower = unname(fu$lower),
                    upper = unname(fu$upper)),
    univariate = univariate,
    selected = selected,
    multivariable = coefs(multi),
    concordance = unname(multi$concordance["concordance"]),
    zph_global = unname(zph$table["GLOBAL", "chisq"])
  )
}

# Propensity score and the matched, robust Cox model ------------------------------------------
ps <- glm(I(group == "Post-ate-beva") ~ age + sex + etiology + ecog_0 + child_pugh_class +
            tumor_gt_10cm + multiple_tumors + portal_vein_invasion + extrahepatic_metastasis +
            afp_ge_400, family = binomial, data = d)
# MatchIt with the demo's options (1:1 nearest neighbour on the logit of the PS, caliper 0.2 SD,
# without replacement, m.order "largest"). MatchIt 4.5.1's fast matcher ignores calipers below 1
# on Linux (integer abs(), MatchIt issue #163, fixed in 4.5.4); mahvars = ~lps sends the same call
# through its general matcher, which computes the intended rule (see validation/r/adjust.R).
suppressPackageStartupMessages(library(MatchIt))
d$lps <- unname(predict(ps, type = "link"))
m <- matchit(I(group == "Post-ate-beva") ~ age + sex + etiology + ecog_0 + child_pugh_class +
               tumor_gt_10cm + multiple_tumors + portal_vein_invasion + extrahepatic_metastasis +
               afp_ge_400, data = d, method = "nearest", distance = "glm",
             link = "linear.logit", caliper = 0.2, mahvars = ~lps)
matched <- d[d$match_weight > 0, ]
adjusted <- list(ps_linear = unname(predict(ps, type = "link")),
                 matchit_weights = unname(m$weights),
                 matchit_n_matched = sum(m$weights > 0))
for (ep in c("OS", "PFS", "TTP")) {
  matched$time <- matched[[paste0(ep, "_time")]]
  matched$event <- matched[[paste0(ep, "_event")]]
  fit <- coxph(Surv(time, event) ~ group, data = matched, weights = match_weight,
               cluster = match_subclass)
  s <- summary(fit)$coefficients
  adjusted[[ep]] <- list(coef = unname(s[, "coef"]), robust_se = unname(s[, "robust se"]),
                         p = unname(s[, "Pr(>|z|)"]))
}

write_json(list(table1 = table1, response = response, endpoints = endpoints,
                adjusted = adjusted,
                versions = list(R = format(getRversion()),
                                survival = format(packageVersion("survival")))),
           out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
cat("wrote", out, "\n")
