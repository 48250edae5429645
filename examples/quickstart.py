"""
Quick start
===========

Train both estimators on bundled datasets, print their scores and the first
and last values of their loss curves; the regressor's score sits beside that
of least squares on the same split.
"""

# %%
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_delta import DeltaRuleClassifier, DeltaRuleRegressor

# %%
# Classification: one logistic unit trained with the delta rule.
X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
classifier = make_pipeline(StandardScaler(), DeltaRuleClassifier(random_state=0))
classifier.fit(X_train, y_train)
curve = classifier[-1].loss_curve_
accuracy = classifier.score(X_test, y_test)
print(f"DeltaRuleClassifier on breast cancer: test accuracy {accuracy:.3f}")
print(f"  loss curve: {curve[0]:.4f} (epoch 1) -> {curve[-1]:.4f} (epoch {len(curve)})")

# %%
# Regression: one linear unit (ADALINE) trained with the delta rule. Its
# squared error has one minimum, the least-squares fit, which
# ``LinearRegression`` computes exactly; training stops once the loss stops
# improving, a little short of it. So least squares' score on the same split
# is the one to compare with: the diabetes data are noisy, and neither
# model explains much of the test targets (the README's table gives
# cross-validated scores).
X, y = load_diabetes(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
regressor = make_pipeline(StandardScaler(), DeltaRuleRegressor(random_state=0))
regressor.fit(X_train, y_train)
curve = regressor[-1].loss_curve_
least_squares = LinearRegression().fit(X_train, y_train)
print(f"DeltaRuleRegressor on diabetes: test R^2 {regressor.score(X_test, y_test):.3f}")
print(f"  least squares on the same split: {least_squares.score(X_test, y_test):.3f}")
print(f"  loss curve: {curve[0]:.1f} (epoch 1) -> {curve[-1]:.1f} (epoch {len(curve)})")
