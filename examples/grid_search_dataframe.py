"""
Grid search over a pipeline on a pandas DataFrame
=================================================

The estimators are ordinary scikit-learn estimators: they sit at the end of
a :class:`~sklearn.pipeline.Pipeline`, take a pandas DataFrame whose
columns a :class:`~sklearn.compose.ColumnTransformer` prepares, and their
parameters are searched with :class:`~sklearn.model_selection.GridSearchCV`.
Here the wine data get a made-up categorical column, one-hot encoded next
to the scaled numeric columns.
"""

# %%
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_wine
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_delta import DeltaRuleClassifier

wine = load_wine(as_frame=True)
X, y = wine.data.copy(), wine.target
# A categorical column, as real tables have: the cellar each bottle sat in.
X["cellar"] = np.random.default_rng(0).choice(["north", "south", "east"], len(X))
numeric = list(wine.data.columns)

pipeline = Pipeline(
    [
        (
            "prepare",
            ColumnTransformer(
                [
                    ("scale", StandardScaler(), numeric),
                    ("encode", OneHotEncoder(), ["cellar"]),
                ]
            ),
        ),
        ("delta", DeltaRuleClassifier(random_state=0)),
    ]
)
# The learning rate is left to eta0="auto", which sets it for each fit from
# the data and the batch size; the grid searches the unit's activation, its
# L2 penalty and the batch size (mini-batches of 8, or the full batch).
grid = {
    "delta__activation": ["logistic", "tanh"],
    "delta__alpha": [0.0, 0.01, 0.1],
    "delta__batch_size": [8, "full"],
}

# %%
# Search the grid with five-fold cross-validation on the training rows, then
# score the best pipeline on the rows held out for testing.
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
search = GridSearchCV(pipeline, grid, cv=5).fit(X_train, y_train)

print("best parameters:", search.best_params_)
print(f"cross-validated accuracy: {search.best_score_:.3f}")
print(f"test accuracy: {search.score(X_test, y_test):.3f}")
print("features the units see:", search.best_estimator_[:-1].get_feature_names_out())
