import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNotEmpty, IsOptional, IsString, IsUrl, MaxLength, ValidateIf } from 'class-validator';
import { MONEY, WEIGHT } from '../../catalogue/decimal';
import {
  IsCalendarDate,
  IsCategoryRef,
  IsDecimalValue,
  IsDiscountValue,
  IsGtin,
  IsItemNumber,
} from '../../catalogue/validators';

/** Runs the field's validators unless it is absent (PATCH) or null (clears the value). */
const NullableOptional = (): PropertyDecorator => IsOptional();
/** Runs the field's validators unless it is absent; null is refused. */
const NotNullWhenPresent = (): PropertyDecorator => ValidateIf((_, value) => value !== undefined);

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

/** The product fields an admin may set; every one except title may be null to clear it. */
export class ProductFieldsDto {
  @ApiPropertyOptional({ type: String, nullable: true, example: '4006381333931' })
  @NullableOptional()
  @IsGtin()
  ean?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 100000 })
  @NullableOptional()
  @IsString({ message: 'must be text' })
  @MaxLength(100000, { message: 'must be at most 100000 characters' })
  description?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Manufacturer name (created if new)' })
  @NullableOptional()
  @IsString({ message: 'must be a manufacturer name' })
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(300, { message: 'must be at most 300 characters' })
  manufacturer?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: 'License name (created if new)' })
  @NullableOptional()
  @IsString({ message: 'must be a license name' })
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  license?: string | null;

  @ApiPropertyOptional({
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    nullable: true,
    description: 'Category id, path or external id (must exist)',
  })
  @NullableOptional()
  @IsCategoryRef()
  category?: string | number | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '12.50', description: 'EUR, exact decimal' })
  @NullableOptional()
  @IsDecimalValue(MONEY)
  purchase_price?: string | number | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '19.99', description: 'EUR, exact decimal' })
  @NullableOptional()
  @IsDecimalValue(MONEY)
  rrp?: string | number | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'date', example: '2025-03-01' })
  @NullableOptional()
  @IsCalendarDate()
  release_date?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '0.250' })
  @NullableOptional()
  @IsDecimalValue(WEIGHT)
  weight_kg?: string | number | null;

  @ApiPropertyOptional({ type: String, nullable: true, format: 'uri' })
  @NullableOptional()
  @IsUrl(URL_OPTIONS, { message: 'must be an http(s) URL' })
  @MaxLength(1000, { message: 'must be at most 1000 characters' })
  image_url?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @NullableOptional()
  @IsString({ message: 'must be text' })
  @MaxLength(20000, { message: 'must be at most 20000 characters' })
  safety_warnings?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '5%', description: '"5%" (percent) or "2.50" (EUR)' })
  @NullableOptional()
  @IsDiscountValue()
  discount?: string | number | null;
}

/** `POST /api/products/`. */
export class ProductCreateDto extends ProductFieldsDto {
  @ApiProperty({ example: 'ABC-001', maxLength: 64 })
  @IsItemNumber()
  item_no!: string;

  @ApiProperty({ maxLength: 500 })
  @IsString({ message: 'must be text' })
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  title!: string;
}

/** `PUT /api/products/{item_no}/`: the whole product; omitted fields are cleared. Restores a deleted one. */
export class ProductReplaceDto extends ProductFieldsDto {
  @ApiProperty({ maxLength: 500 })
  @IsString({ message: 'must be text' })
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  title!: string;
}

/** `PATCH /api/products/{item_no}/`: only the fields sent change. */
export class ProductPatchDto extends ProductFieldsDto {
  @ApiPropertyOptional({ maxLength: 500 })
  @NotNullWhenPresent()
  @IsString({ message: 'must be text' })
  @IsNotEmpty({ message: 'must not be empty' })
  @MaxLength(500, { message: 'must be at most 500 characters' })
  title?: string;

  @ApiPropertyOptional({ description: 'false restores a soft-deleted product' })
  @NotNullWhenPresent()
  @IsBoolean({ message: 'must be true or false' })
  is_deleted?: boolean;
}
