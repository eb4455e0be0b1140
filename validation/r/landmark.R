# Reference values for hccsurv.landmark: a landmark analysis at L is survival's
# survfit / survdiff / coxph(Surv(time - L, event) ~ group (+ age), subset = time > L), with
# group = response time <= L (a missing response time: no response), on a random draw.
#
#   Rscript validation/r/landmark.R   -> tests/reference/landmark.json
# Live mode (tests/analysis/test_r_live_landmark.py): data.csv has time, event, resp, age.
#   Rscript validation/r/landmark.R data.csv L out.json
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

landmark_values <- function(d, L) {
  s <- d[d$time > L, ]
  s$group <- factor(ifelse(!is.na(s$resp) & s$resp <= L, "yes", "no"), levels = c("no", "yes"))
  s$since <- s$time - L
  km <- survfit(Surv(since, event) ~ group, data = s)
  lr <- survdiff(Surv(since, event) ~ group, data = s)
  cx <- coxph(Surv(since, event) ~ group + age, data = s)
  list(landmark = L, n = nrow(s), n_excluded = nrow(d) - nrow(s),
       km_time = km$time, km_surv = km$surv, km_strata = unname(km$strata),
       median = unname(quantile(km, 0.5)$quantile[, 1]), logrank_chisq = lr$chisq,
       coef = unname(coef(cx)), se = unname(sqrt(diag(cx$var))))
}

args <- commandArgs(trailingOnly = TRUE)
if (length(args) == 3) {
  write_json(landmark_values(read.csv(args[1]), as.numeric(args[2])), args[3], digits = NA,
             auto_unbox = TRUE, na = "null")
  quit(save = "no")
}

set.seed(2020)
n <- 200
d <- data.frame(time = round(rexp(n, 1 / 14), 2), event = as.integer(runif(n) < 0.75),
                resp = ifelse(runif(n) < 0.4, round(runif(n, 1, 8), 2), NA),
                age = round(rnorm(n, 62, 9)))
meta <- list(r_version = R.version.string,
             survival = as.character(packageVersion("survival")))
write_json(list(meta = meta, data = d, cases = list(l3 = landmark_values(d, 3),
                                                    l6 = landmark_values(d, 6))),
           file.path("tests", "reference", "landmark.json"), digits = NA, auto_unbox = TRUE,
           na = "null")
