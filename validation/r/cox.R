# Reference values for hccsurv's Cox regression (core/cox.py, concordance, zph, predict, analysis/coxph.py).
# Run from the repository root:  Rscript validation/r/cox.R
# Reads tests/reference/data/*.csv (exported by export_datasets.R), writes tests/reference/cox.json.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
dat <- function(name) read.csv(file.path("tests", "reference", "data", paste0(name, ".csv")))
lung <- dat("lung")
veteran <- dat("veteran")
ovarian <- dat("ovarian")
colon <- dat("colon")

# Wald test of a set of coefficients (a term): b' V^-1 b on length(b) df.
term_wald <- function(fit, pattern) {
  idx <- grep(pattern, names(coef(fit)), fixed = TRUE)
  b <- coef(fit)[idx]
  v <- vcov(fit)[idx, idx, drop = FALSE]
  chisq <- drop(t(b) %*% solve(v, b))
  list(chisq = chisq, df = length(idx), p = pchisq(chisq, length(idx), lower.tail = FALSE))
}

summarise <- function(fit, terms = list()) {
  s <- summary(fit)
  robust <- !is.null(fit$naive.var)
  df <- sum(!is.na(coef(fit)))
  chi <- function(x, df) unname(c(x, df, pchisq(x, df, lower.tail = FALSE)))
  out <- list(
    names = names(coef(fit)),
    coef = unname(coef(fit)),
    se = unname(sqrt(diag(if (robust) fit$naive.var else vcov(fit)))),
    robust_se = if (robust) unname(sqrt(diag(vcov(fit)))) else NULL,
    z = unname(s$coefficients[, "z"]),
    p = unname(s$coefficients[, "Pr(>|z|)"]),
    hr_lower = unname(s$conf.int[, "lower .95"]),
    hr_upper = unname(s$conf.int[, "upper .95"]),
    loglik = unname(fit$loglik),
    # summary() rounds the Wald and score statistics for printing: use the unrounded ones
    lr = chi(2 * diff(fit$loglik), df),
    wald = chi(fit$wald.test, df),
    score = chi(fit$score, df),
    robust_score = if (robust) chi(fit$rscore, df) else NULL,
    concordance = unname(s$concordance),
    iter = fit$iter,
    n = fit$n,
    nevent = fit$nevent
  )
  if (length(terms)) out$term_wald <- lapply(terms, function(p) term_wald(fit, p))
  out
}

zph_table <- function(fit) {
  z <- cox.zph(fit, transform = "km", terms = TRUE)$table
  list(terms = rownames(z), chisq = unname(z[, "chisq"]), df = unname(z[, "df"]), p = unname(z[, "p"]))
}

ref <- list()

# lung: univariate sex; multivariable with ph.ecog as a factor and wt.loss (NA -> 213 complete cases)
lung$ecog <- factor(lung$ph.ecog)
ref$lung_sex <- summarise(coxph(Surv(time, status) ~ sex, data = lung))
ref$lung_sex_breslow <- summarise(coxph(Surv(time, status) ~ sex, data = lung, ties = "breslow"))
fit <- coxph(Surv(time, status) ~ age + sex + ecog + wt.loss, data = lung)
ref$lung_multi <- summarise(fit, list(ecog = "ecog"))
ref$lung_multi$zph <- zph_table(fit)
prof <- data.frame(age = 60, sex = 2, ecog = factor(1, levels = levels(lung$ecog)), wt.loss = 5)
sf <- survfit(fit, newdata = prof)
ref$lung_multi$predict <- list(
  profile = list(age = 60, sex = 2, ecog = "1", wt.loss = 5),
  time = sf$time, n_risk = sf$n.risk, cumhaz = sf$cumhaz, surv = sf$surv,
  std_err = sf$std.err, lower = sf$lower, upper = sf$upper
)
fitb <- coxph(Surv(time, status) ~ age + sex + ecog + wt.loss, data = lung, ties = "breslow")
ref$lung_multi_breslow <- summarise(fitb, list(ecog = "ecog"))
ref$lung_multi_breslow$zph <- zph_table(fitb)
sfb <- survfit(fitb, newdata = prof)
ref$lung_multi_breslow$predict <- list(time = sfb$time, surv = sfb$surv, std_err = sfb$std.err)

# case weights (deterministic), robust + cluster(inst)
lung$w <- (seq_len(nrow(lung)) - 1) %% 3 + 1
ref$lung_weights <- summarise(coxph(Surv(time, status) ~ age + sex, data = lung, weights = w))
ref$lung_cluster <- summarise(coxph(Surv(time, status) ~ age + sex, data = lung, cluster = inst))
ref$lung_robust <- summarise(coxph(Surv(time, status) ~ age + sex + ph.karno, data = lung,
                                   robust = TRUE))

# veteran: celltype with reference "squamous" and alphabetical ("adeno"); strata
veteran$cell_sq <- relevel(factor(veteran$celltype), ref = "squamous")
fit <- coxph(Surv(time, status) ~ trt + cell_sq + karno, data = veteran)
ref$veteran_squamous <- summarise(fit, list(celltype = "cell_sq"))
ref$veteran_squamous$zph <- zph_table(fit)
ref$veteran_alpha <- summarise(coxph(Surv(time, status) ~ trt + factor(celltype) + karno,
                                     data = veteran), list(celltype = "celltype"))
ref$veteran_strata <- summarise(coxph(Surv(time, status) ~ trt + karno + strata(celltype),
                                      data = veteran))
sf <- survfit(coxph(Surv(time, status) ~ trt + karno + strata(celltype), data = veteran),
              newdata = data.frame(trt = 2, karno = 60, celltype = "large"))
ref$veteran_strata$predict <- list(time = sf$time, surv = sf$surv, std_err = sf$std.err)

# ovarian
ref$ovarian <- summarise(coxph(Surv(futime, fustat) ~ age + ecog.ps + rx, data = ovarian))

# colon, recurrence-free endpoint rows (etype == 2), rx reference "Obs", nodes has NA
col2 <- colon[colon$etype == 2, ]
col2$rx <- relevel(factor(col2$rx), ref = "Obs")
fit <- coxph(Surv(time, status) ~ rx + sex + age + nodes, data = col2)
ref$colon <- summarise(fit, list(rx = "rx"))
ref$colon$zph <- zph_table(fit)

# heavy ties: integer months
set.seed(20240601)
n <- 400
grp <- rbinom(n, 1, 0.5)
age <- round(rnorm(n, 62, 9))
ev_t <- rexp(n, 0.05 * exp(0.7 * grp + 0.02 * (age - 62)))
cens <- runif(n, 6, 40)
ties <- data.frame(time = pmax(1, ceiling(pmin(ev_t, cens))), status = as.integer(ev_t <= cens),
                   group = grp, age = age)
ref$ties_data <- as.list(ties)
fit <- coxph(Surv(time, status) ~ group + age, data = ties)
ref$ties_efron <- summarise(fit)
ref$ties_efron$zph <- zph_table(fit)
ref$ties_breslow <- summarise(coxph(Surv(time, status) ~ group + age, data = ties, ties = "breslow"))
ref$ties_strata_robust <- summarise(coxph(Surv(time, status) ~ group + age + strata(age > 62),
                                          data = ties, robust = TRUE))

# monotone likelihood: level "C" of a factor has no events
set.seed(7)
m <- 90
mono <- data.frame(time = round(rexp(m, 0.1), 1) + 0.1, arm = rep(c("A", "B", "C"), each = 30),
                   x = round(rnorm(m), 2))
mono$status <- as.integer(runif(m) < 0.7)
mono$status[mono$arm == "C"] <- 0L
ref$mono_data <- as.list(mono)
msg <- NULL
fit <- withCallingHandlers(coxph(Surv(time, status) ~ factor(arm) + x, data = mono),
                           warning = function(w) {
                             msg <<- conditionMessage(w)
                             invokeRestart("muffleWarning")
                           })
ref$mono <- list(coef = unname(coef(fit)), loglik = unname(fit$loglik), warning = msg,
                 iter = fit$iter)

write_json(ref, file.path("tests", "reference", "cox.json"), digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
cat(sprintf("R %s, survival %s\n", getRversion(), packageVersion("survival")))
