import os

from fastapi import FastAPI
from sqlmodel import SQLModel, create_engine

DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:////data/meds.db")
engine = create_engine(DATABASE_URL)
app = FastAPI()


@app.on_event("startup")
def create_tables() -> None:
    SQLModel.metadata.create_all(engine)
