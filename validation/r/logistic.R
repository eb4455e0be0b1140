# Reference values for hccsurv.core.logistic (logistic regression by IRLS, R glm.fit).
#
# Two seeded data sets, written into the JSON with the fits so that the tests need no R:
#   "mixed":  n = 40, a continuous, a 0/1 and a three-level factor covariate (treatment coded);
#   "strong": n = 60, large effects, so that IRLS needs more iterations.
# For each: glm(y ~ ., family = binomial) with glm.control() defaults (epsilon 1e-8, maxit 25);
# coef, summary()$coefficients (SE, z, p), fit$iter, fit$deviance, fit$converged and the linear
# predictors. The design matrix is model.matrix(fit) (intercept first).
# Run from the repository root:  Rscript validation/r/logistic.R
suppressPackageStartupMessages(library(jsonlite))

fit_case <- function(d) {
  fit <- glm(y ~ ., family = binomial, data = d)
  s <- summary(fit)$coefficients
  x <- model.matrix(fit)
  list(
    names = colnames(x),
    x = unname(lapply(seq_len(nrow(x)), function(i) unname(x[i, ]))),
    y = d$y,
    coef = unname(coef(fit)),
    se = unname(s[, "Std. Error"]),
    z = unname(s[, "z value"]),
    p = unname(s[, "Pr(>|z|)"]),
    iter = fit$iter,
    deviance = fit$deviance,
    converged = fit$converged,
    linear = unname(fit$linear.predictors)
  )
}

set.seed(20240517)
n <- 40
mixed <- data.frame(
  age = round(rnorm(n, 62, 9), 1),
  male = rbinom(n, 1, 0.7),
  stage = factor(sample(c("A", "B", "C"), n, replace = TRUE), levels = c("A", "B", "C"))
)
lp <- -4 + 0.06 * mixed$age + 0.5 * mixed$male + 0.8 * (mixed$stage == "C")
mixed$y <- rbinom(n, 1, plogis(lp))

n <- 60
strong <- data.frame(x1 = rnorm(n), x2 = rnorm(n))
strong$y <- rbinom(n, 1, plogis(0.5 + 3 * strong$x1 - 2.5 * strong$x2))

out <- list(
  mixed = fit_case(mixed),
  strong = fit_case(strong),
  versions = list(R = R.version.string)
)
write_json(out, "tests/reference/logistic.json", digits = NA, auto_unbox = TRUE)
